package dev.satchel.codec;

/**
 * One conversion's bookkeeping: how deep it is (a cycle through a type that cannot hold one must
 * fail, not overflow the stack) and how many values it has produced (shared references in stored
 * data must not expand into an exponential amount of work). Not thread-safe; use one per call.
 */
public final class CodecContext {
  /** The nesting depth allowed by default. */
  public static final int DEFAULT_MAX_DEPTH = 500;

  /** The number of values one conversion may produce by default. */
  public static final long DEFAULT_MAX_VALUES = 1_000_000;

  private final int maxDepth;
  private final long maxValues;
  private int depth;
  private long values;

  private CodecContext(int maxDepth, long maxValues) {
    this.maxDepth = maxDepth;
    this.maxValues = maxValues;
  }

  /** A context with the default limits. */
  public static CodecContext create() {
    return new CodecContext(DEFAULT_MAX_DEPTH, DEFAULT_MAX_VALUES);
  }

  /** A context with the given limits. */
  public static CodecContext withLimits(int maxDepth, long maxValues) {
    if (maxDepth < 1 || maxValues < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
    return new CodecContext(maxDepth, maxValues);
  }

  /**
   * Called by a codec before it converts a container's contents.
   *
   * @throws ValueCodecException past the depth or value limit
   */
  public void enter() {
    if (++depth > maxDepth) {
      depth--;
      throw new ValueCodecException(
          "nested deeper than "
              + maxDepth
              + " levels: a cycle through a type that cannot hold one?");
    }
    count();
  }

  /** Called by a codec when it has converted a container's contents. */
  public void exit() {
    depth--;
  }

  /**
   * Counts one value produced.
   *
   * @throws ValueCodecException past the value limit
   */
  public void count() {
    if (++values > maxValues) {
      throw new ValueCodecException(
          "expands to more than " + maxValues + " values (shared references repeated too often)");
    }
  }
}
