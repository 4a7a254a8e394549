package clipbench.cli;

import clipbench.api.spi.Plugins;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Entry point of {@code ./clipbench}. */
@Command(name = "clipbench", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Benchmark CLIP image feature extractors across runtimes, datasets and upsamplers.",
        subcommands = {ListCommand.class, DoctorCommand.class, TokenizeCommand.class, PreprocessCommand.class, UpsampleCommand.class,
                EmbedCommand.class, AlignCommand.class, InspectCommand.class, RunCommand.class, ParityCommand.class, ReportCommand.class,
                ExportCommand.class, ImportTfjsCommand.class, DemoCommand.class, BenchCommand.class, BenchHeadsCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    @Option(names = "--plugins", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "A folder of plugin jars (repeatable); ~/.clipbench/plugins is read as well when it exists.")
    List<Path> plugins = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs one command line; errors become a one-line message and exit code 2, not a stack trace. */
    public static int execute(String... args) {
        Main main = new Main();
        CommandLine cli = new CommandLine(main);
        cli.setExecutionStrategy(parsed -> {
            main.usePlugins(parsed.commandSpec().commandLine());
            return new CommandLine.RunLast().execute(parsed);
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("clipbench " + cmd.getCommandName() + ": " + message(e));
            if (Boolean.getBoolean("clipbench.debug")) {
                e.printStackTrace(cmd.getErr());
            }
            return 2;
        });
        return cli.execute(args);
    }

    /**
     * Hands the {@code --plugins} folders to {@link Plugins} as a system property, which {@code bench}'s child JVMs
     * inherit too; a folder that is not there is an error naming it.
     */
    private void usePlugins(CommandLine cli) {
        List<String> folders = new ArrayList<>();
        for (Path dir : plugins) {
            if (!Files.isDirectory(dir)) {
                throw new CommandLine.ParameterException(cli, "--plugins " + dir + ": " + (Files.exists(dir)
                        ? "not a folder (give the folder that holds the plugin jars)" : "no such folder"));
            }
            folders.add(dir.toAbsolutePath().normalize().toString());
        }
        if (!folders.isEmpty()) {
            System.setProperty(Plugins.PLUGINS_PROPERTY, String.join(File.pathSeparator, folders));
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) {
            return e.getMessage() + ": no such file";
        }
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
