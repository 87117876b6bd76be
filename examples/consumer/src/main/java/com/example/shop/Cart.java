package com.example.shop;

import dev.satchel.SessionData;
import java.util.List;

@SessionData
public interface Cart {
  List<String> items(); // the processor generates CartSession with items(), setItems(...), ...
}
