package dev.satchel.spring.boot;

import dev.satchel.SessionData;
import java.util.List;

/** A public session shape for the tests: generates the public {@code TestCartSession}. */
@SessionData
public interface TestCart {
  List<String> items();
}
