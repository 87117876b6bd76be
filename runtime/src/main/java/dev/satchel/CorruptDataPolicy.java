package dev.satchel;

/** What a session does when its stored blob cannot be read at all. */
public enum CorruptDataPolicy {
  /**
   * Start over: the request gets an empty session, the bad blob is removed at commit, the cookie is
   * cleared (or replaced on the next write), and a warning is logged. The default: corrupt data
   * never becomes a failed request.
   */
  RESET,
  /** Throw a {@link SessionStorageException} from the call that needed the data. */
  FAIL
}
