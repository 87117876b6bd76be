package com.example.mystore;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.SessionDriverContract;
import java.util.Map;

class MyStoreDriverTest extends SessionDriverContract {
  @Override
  protected SessionDriver createDriver(MutableClock clock) {
    return new MyStoreProvider().create(new DriverContext("mystore", Map.of(), clock));
  }
}
