package dev.satchel;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One live session of a user, as {@link Satchel#sessionsOf} lists it.
 *
 * @param id the session ID: treat it as a credential, and show users no more than a part of it
 * @param principal the user's name
 * @param createdAt when the session began
 * @param lastAccessedAt the start of the last request that used it, or {@code null} when the store
 *     cannot tell (no idle timeout)
 * @param expiresAt when it expires unless used again, or {@code null} for never
 * @param instance the {@code instance-name} of the instance that last stored a change to it, or
 *     {@code null} when instances are not named
 */
public record SessionInfo(
    String id,
    String principal,
    Instant createdAt,
    Instant lastAccessedAt,
    Instant expiresAt,
    String instance) {

  /** Checks that the ID, the principal and the creation time are present. */
  public SessionInfo {
    requireNonNull(id, "id");
    requireNonNull(principal, "principal");
    requireNonNull(createdAt, "createdAt");
  }
}
