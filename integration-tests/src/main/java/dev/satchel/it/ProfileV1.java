package dev.satchel.it;

import dev.satchel.SessionData;

/** A key's record as first released. */
@SessionData
public interface ProfileV1 {
  Profile profile();

  /** The first shape of the profile. */
  record Profile(String name, String legacyCode) {}
}
