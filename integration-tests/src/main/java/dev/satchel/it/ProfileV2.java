package dev.satchel.it;

import dev.satchel.SessionData;
import java.util.Optional;

/** The same key after the record changed: a component gone, three added. */
@SessionData
public interface ProfileV2 {
  Profile profile();

  /** The second shape of the profile. */
  record Profile(String name, int age, boolean verified, Optional<String> nickname) {}
}
