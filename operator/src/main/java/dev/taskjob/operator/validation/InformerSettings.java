package dev.taskjob.operator.validation;

import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JOSDK settings that keep one unreadable object from ending the process. JOSDK's defaults exit when
 * an informer fails at startup or stops later; a restarted operator then meets the same object and
 * exits again. The resource classes read every object (unreadable fields become conditions), so an
 * informer error here is an API server or network problem: it is logged, and the liveness probe,
 * which checks the event sources, lets Kubernetes restart the pod if it lasts.
 */
public final class InformerSettings {

  private static final Logger LOG = LoggerFactory.getLogger(InformerSettings.class);

  private InformerSettings() {}

  public static void neverExitOnInformerError(ConfigurationServiceOverrider o) {
    o.withStopOnInformerErrorDuringStartup(false)
        .withInformerStoppedHandler((informer, error) -> {
          if (error != null) {
            LOG.error("an informer stopped; the liveness probe reports it: {}", error.toString());
          }
        });
  }
}
