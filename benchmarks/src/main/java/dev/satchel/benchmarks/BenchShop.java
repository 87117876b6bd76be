package dev.satchel.benchmarks;

import dev.satchel.SessionData;
import java.util.List;

/** The session the generated-versus-hand-written benchmark reads and writes. */
@SessionData
public interface BenchShop {
  List<String> cart();

  User user();

  /** A user, stored as a plain object. */
  record User(String id, String name, String email) {}
}
