package dev.satchel.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The redis driver's Lua scripts, kept as {@code dev/satchel/redis/scripts/*.lua} beside this
 * class: each file opens with what its KEYS and ARGV are and what it answers. The opening comment
 * is not sent to Redis.
 */
final class RedisScripts {
  /**
   * Lua the scripts that say so share. A flag {@code "1"} means the key must be absent; an expiry
   * is {@code ""} for none, {@code "0"} for already passed, otherwise epoch milliseconds.
   */
  static final String HELPERS = read("helpers.lua");

  static final String COMPARE_AND_SET = HELPERS + read("compare-and-set.lua");
  static final String REPLACE = HELPERS + read("replace.lua");
  static final String RETIRE = HELPERS + read("retire.lua");
  static final String MOVE_BEGIN = HELPERS + read("move-begin.lua");
  static final String MOVE_WRITE = HELPERS + read("move-write.lua");
  static final String MOVE_END = HELPERS + read("move-end.lua");
  static final String DELETE_IF_HOLDS = read("delete-if-holds.lua");
  static final String DELETE_IF_UNCHANGED = read("delete-if-unchanged.lua");
  static final String INDEX = read("index.lua");
  static final String INDEXED = read("indexed.lua");
  static final String CLAIM = read("claim.lua");
  static final String SETTLE = read("settle.lua");

  private RedisScripts() {}

  /** The script in {@code file}, without the comment lines it opens with. */
  private static String read(String file) {
    String text;
    try (InputStream in = RedisScripts.class.getResourceAsStream("scripts/" + file)) {
      if (in == null) {
        throw new IllegalStateException("the redis driver's script " + file + " is missing");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int start = 0;
    while (text.startsWith("--", start)) {
      start = text.indexOf('\n', start) + 1;
    }
    return text.substring(start);
  }
}
