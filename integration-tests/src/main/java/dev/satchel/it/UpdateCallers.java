package dev.satchel.it;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Calls the generated {@code updateX} methods as users write them, so that the build fails if their
 * types change: boxed primitives, arrays, optionals as the setter takes them, untyped values.
 */
final class UpdateCallers {
  private UpdateCallers() {}

  static void callEveryShape(EverythingSession session) {
    Integer count = session.updateCount(current -> current == null ? 1 : current + 1);
    Character letter = session.updateLetter(current -> 'y', Duration.ofMinutes(5));
    int[] numbers = session.updateNumbers(current -> current == null ? new int[] {1} : current);
    Optional<Set<Everything.Colour>> favourites =
        session.updateFavourites(
            current -> current.isPresent() ? current : Optional.of(Set.of(Everything.Colour.RED)));
    Object anything = session.updateAnything(current -> null);
    Shop.User user = ShopSession.of(session.session()).updateUser(current -> current);
  }
}
