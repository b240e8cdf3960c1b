package dev.taskjob.operator.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The running build, from {@code build-info.properties} (filled in by Maven's resource filtering, so
 * it is right in the jar, the shaded jar and jib's class directories alike).
 *
 * @param version the project version, e.g. 0.1.0 or 0.1.0-SNAPSHOT
 * @param javaVersion the JVM's version, e.g. 17.0.12+7
 */
public record BuildInfo(String version, String javaVersion) {

  private static final String RESOURCE = "build-info.properties";

  public static BuildInfo current() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path next to " + BuildInfo.class);
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new BuildInfo(properties.getProperty("version"), Runtime.version().toString());
  }
}
