package dev.taskjob.core.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Provider lookup by name; core itself ships no provider, so its class path has none. */
class ProvidersTest {

  @Test
  void namesWhatIsAvailableWhenAProviderIsUnknown() {
    assertThat(Providers.available()).isEmpty();
    assertThatThrownBy(() -> Providers.get("aws"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown provider 'aws'; available: none (no provider module on the class path)");
  }
}
