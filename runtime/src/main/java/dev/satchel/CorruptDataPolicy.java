package dev.satchel;

/**
 * What a session does when its stored blob cannot be read at all. A blob that does not parse is
 * first read again, briefly, since another program may be writing it in place; only a blob that
 * stays unreadable is judged.
 */
public enum CorruptDataPolicy {
  /**
   * Start over: the request gets an empty session, the bad blob is removed at commit if it is still
   * the one judged, the cookie is cleared (or replaced on the next write), and a warning is logged.
   * The default: corrupt data never becomes a failed request.
   */
  RESET,
  /** Throw a {@link SessionStorageException} from the call that needed the data. */
  FAIL
}
