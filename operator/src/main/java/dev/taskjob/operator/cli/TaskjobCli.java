package dev.taskjob.operator.cli;

import dev.taskjob.operator.metrics.BuildInfo;
import java.time.Duration;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code taskjob} command. Each subcommand lives in its own class in this package and is listed
 * here, except {@code local}: the operator image's jar leaves local mode out (with the embedded API
 * server it is built on), so that command is added only where its class is present.
 */
@Command(
    name = "taskjob",
    mixinStandardHelpOptions = true,
    versionProvider = TaskjobCli.Version.class,
    description = "Runs large batches of independent tasks on the cheapest cloud VMs that fit.",
    subcommands = {
        CommandLine.HelpCommand.class,
        LoadQueueCommand.class,
        QueueCommand.class,
        OperatorCommand.class,
        InstanceTypesCommand.class,
        ResultsCommand.class, ExportCommand.class, StatusCommand.class,
        ReportCommand.class,
        VmsCommand.class,
        PlanCommand.class,
        AutoComplete.GenerateCompletion.class,
    })
public final class TaskjobCli implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Logs.configureForCommand(); // the operator and local commands set their own
    int code = commandLine(args).execute(args);
    ExitWait.endIdleNetworkThreads(Duration.ofMillis(500)); // here, not in the commands: tests run those in-process
    System.exit(code);
  }

  /**
   * The command line for {@code args}. A load-queue gets a command line with that subcommand alone: building
   * the model of every subcommand (and local mode's) takes about 0.35 s of the command's start, more than a
   * load of 20,000 tasks takes to send (docs/benchmarks.md, "Queue loading").
   */
  public static CommandLine commandLine(String... args) {
    if (args.length == 0 || !args[0].equals(LOAD_QUEUE)) {
      return commandLine();
    }
    CommandLine cli = new CommandLine(CommandLine.Model.CommandSpec.create().name("taskjob"));
    cli.addSubcommand(LOAD_QUEUE, new LoadQueueCommand());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli;
  }

  private static final String LOAD_QUEUE = "load-queue";

  /** The configured command line, for tests that run commands in-process. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new TaskjobCli());
    localCommand().ifPresent(local -> cli.addSubcommand(local));
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    // picocli hides its completion generator by default; list it, since docs tell users to run it.
    cli.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
    return cli;
  }

  /** {@code taskjob local}, where this jar has local mode. */
  static java.util.Optional<Object> localCommand() {
    try {
      return java.util.Optional.of(Class.forName(LOCAL_COMMAND).getDeclaredConstructor().newInstance());
    } catch (ClassNotFoundException absent) {
      return java.util.Optional.empty();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot create " + LOCAL_COMMAND, e);
    }
  }

  private static final String LOCAL_COMMAND = "dev.taskjob.operator.cli.LocalCommand";

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: see 'taskjob help'");
  }

  /** The version the build recorded ({@link BuildInfo}), with the Java runtime it runs on. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"taskjob " + BuildInfo.current().version(),
          "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }
  }
}
