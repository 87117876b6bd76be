package dev.satchel;

/** What a typed read does when a stored value no longer fits its declared type. */
public enum UndecodableValuePolicy {
  /** Read the key as absent and log a warning; the other keys are unaffected. The default. */
  ABSENT,
  /** Throw a {@link SessionValueException}. */
  FAIL
}
