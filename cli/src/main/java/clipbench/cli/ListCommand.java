package clipbench.cli;

import clipbench.api.spi.Plugin;
import clipbench.api.spi.PluginKind;
import clipbench.api.spi.Plugins;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code clipbench list}: every discovered plugin, one per line, as {@code kind id}; with {@code -v} also its
 * description, source ({@code built-in} or its jar) and version. What failed to load is a {@code ?} line saying why.
 */
@Command(name = "list", description = "List every discovered plugin as 'kind id', one per line.")
final class ListCommand implements Callable<Integer> {
    @Option(names = {"-v", "--verbose"}, description = "Add each plugin's description, source and version.")
    boolean verbose;

    @Override
    public Integer call() {
        Plugins.catalog().problems().forEach(p -> System.out.println("jar ? (" + p + ")"));
        for (PluginKind kind : PluginKind.values()) {
            @SuppressWarnings("unchecked")
            List<Plugins.Found<Plugin>> found = Plugins.discover(kind, (Class<Plugin>) kind.service());
            found.stream().sorted(Comparator.comparing(Plugins.Found::id)).forEach(f -> {
                if (f.plugin() == null) {
                    System.out.println(kind.label() + " ? (" + f.error() + ")");
                } else {
                    System.out.println(kind.label() + " " + f.id() + (verbose ? "\t" + f.plugin().description()
                            + "\t" + f.source() + " " + f.version() : ""));
                }
            });
        }
        return 0;
    }
}
