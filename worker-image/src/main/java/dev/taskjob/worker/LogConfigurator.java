package dev.taskjob.worker;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.List;

/**
 * The worker's logging, set up in code (found by logback through {@code META-INF/services}) instead of a
 * {@code logback.xml}, whose parse cost the CLI about 0.2 s of CPU and 0.1 s of wall time at each start, and a
 * worker with its class-data archive about 0.05 s (docs/benchmarks.md, "The README's local job"). Lines on stderr as rms-cloud-tasks prints them
 * ({@code 2025-07-08 11:19:22.944 INFO - message}); cloud SDK and network libraries at WARN.
 *
 * <p>A configuration file still wins: with {@code -Dlogback.configurationFile} set, or a {@code logback.xml} or
 * {@code logback-test.xml} on the class path, this steps aside and logback reads that file as usual.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {

  static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %level - %msg%n";
  static final List<String> QUIET_LOGGERS = List.of("software.amazon.awssdk", "io.grpc", "io.netty", "com.google");

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (configurationFileGiven()) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    QUIET_LOGGERS.forEach(name -> context.getLogger(name).setLevel(Level.WARN));
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(stderr);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  private static boolean configurationFileGiven() {
    ClassLoader loader = LogConfigurator.class.getClassLoader();
    return System.getProperty("logback.configurationFile") != null
        || loader.getResource("logback-test.xml") != null || loader.getResource("logback.xml") != null;
  }
}
