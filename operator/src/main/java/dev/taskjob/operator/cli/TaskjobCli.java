package dev.taskjob.operator.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code taskjob} command. Each subcommand lives in its own class in this package and is listed
 * here.
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
        LocalCommand.class,
        InstanceTypesCommand.class,
    })
public final class TaskjobCli implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Logs.configureForCommand(); // the operator and local commands set their own
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, for tests that run commands in-process. */
  public static CommandLine commandLine() {
    return new CommandLine(new TaskjobCli()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: see 'taskjob help'");
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = TaskjobCli.class.getPackage().getImplementationVersion();
      return new String[] {"taskjob " + (v == null ? "(development build)" : v)};
    }
  }
}
