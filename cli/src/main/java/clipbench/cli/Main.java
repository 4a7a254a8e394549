package clipbench.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./clipbench}. */
@Command(name = "clipbench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Benchmark CLIP image feature extractors across runtimes, datasets and upsamplers.",
        subcommands = {ListCommand.class, DoctorCommand.class, TokenizeCommand.class, PreprocessCommand.class,
                EmbedCommand.class, RunCommand.class, ParityCommand.class, ReportCommand.class,
                ExportCommand.class, ImportTfjsCommand.class, DemoCommand.class, BenchCommand.class, BenchHeadsCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs one command line; errors become a one-line message and exit code 2, not a stack trace. */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("clipbench " + cmd.getCommandName() + ": " + message(e));
            if (Boolean.getBoolean("clipbench.debug")) {
                e.printStackTrace(cmd.getErr());
            }
            return 2;
        });
        return cli.execute(args);
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) {
            return e.getMessage() + ": no such file";
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
