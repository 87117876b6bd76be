package com.example.consumer;

import dev.satchel.SessionData;
import java.util.List;

/** What a visitor's session holds; the processor generates {@code VisitSession} from it. */
@SessionData
public interface Visit {
  List<String> cart();

  int pageViews();
}
