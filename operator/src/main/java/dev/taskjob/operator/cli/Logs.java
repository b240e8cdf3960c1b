package dev.taskjob.operator.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Logging for every command: one line per event, as text or JSON (for log collectors), on stderr, so that
 * stdout carries only what a command was asked to print (tables, {@code -o json}, the local progress view).
 */
final class Logs {

  enum Format { TEXT, JSON }

  private Logs() {}

  /** Warnings and errors only, for short commands whose output is the point. */
  static void configureForCommand() {
    configure(Format.TEXT, "WARN");
  }

  /**
   * For {@code taskjob local}: everything at INFO into {@code file}, and warnings and errors also on stderr,
   * so the progress table on stdout stays readable.
   */
  static void configureForLocalRun(Path file) {
    configure(Format.TEXT, "INFO");
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    ThresholdFilter warnings = new ThresholdFilter();
    warnings.setLevel(Level.WARN.levelStr);
    warnings.start();
    root.getAppender("console").addFilter(warnings);
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern(TEXT_PATTERN);
    text.start();
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(context);
    appender.setName("file");
    appender.setFile(file.toString());
    appender.setAppend(false);
    appender.setEncoder(text);
    appender.start();
    root.addAppender(appender);
  }

  private static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level [%thread] %logger{20} - %msg%n";

  static void configure(Format format, String level) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    Encoder<ILoggingEvent> encoder;
    if (format == Format.JSON) {
      JsonEncoder json = new JsonEncoder();
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      json.setWithArguments(false);
      json.setWithFormattedMessage(true);
      json.setWithMessage(false);
      encoder = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(TEXT_PATTERN);
      encoder = text;
    }
    encoder.setContext(context);
    encoder.start();
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setTarget("System.err");
    console.setEncoder(encoder);
    console.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level, Level.INFO));
    root.addAppender(console);
    // The clients' request logs say nothing a user needs at INFO.
    context.getLogger("io.fabric8").setLevel(Level.WARN);
    context.getLogger("io.vertx").setLevel(Level.WARN);
    context.getLogger("software.amazon.awssdk").setLevel(Level.WARN);
    context.getLogger("io.grpc").setLevel(Level.WARN);
    context.getLogger("io.netty").setLevel(Level.WARN);
    // Warns at every start that v1alpha1 is not a stable version: true of our own CRDs, and nothing to act on.
    context.getLogger("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils").setLevel(Level.ERROR);
  }
}
