package dev.satchel.it;

/** A parent interface: its keys count for every @SessionData interface that extends it. */
public interface Localized {
  String locale();

  /** Not a key: default methods are ignored. */
  default String fallbackLocale() {
    return "en";
  }
}
