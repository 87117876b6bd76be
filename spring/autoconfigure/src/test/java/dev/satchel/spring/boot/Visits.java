package dev.satchel.spring.boot;

import dev.satchel.SessionData;

/** A package-private session shape: generates the package-private {@code VisitsSession}. */
@SessionData
interface Visits {
  int count();
}
