package clipbench.cli;

import clipbench.api.Versions;
import clipbench.api.spi.BackboneProvider;
import clipbench.api.spi.PluginCatalog;
import clipbench.api.spi.PluginKind;
import clipbench.api.spi.Plugins;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code clipbench doctor}: what a user needs to report a problem (versions, which runtimes load). */
@Command(name = "doctor", description = "Print versions and check that every backend's runtime loads.")
final class DoctorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("clipbench " + Versions.clipbench());
        System.out.println("java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor")
                + "), " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, max heap "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
        System.out.println("vocab " + System.getProperty("clipbench.vocab", System.getenv("CLIPBENCH_VOCAB")));
        System.out.println("plugin folders " + Plugins.folders());
        int broken = 0;
        for (String problem : Plugins.catalog().problems()) {
            System.out.println("jar FAILED " + problem);
            broken++;
        }
        for (var found : Plugins.discover(PluginKind.BACKEND, BackboneProvider.class)) {
            if (found.plugin() == null) {
                System.out.println("backend ? FAILED " + found.error());
                broken++;
                continue;
            }
            try {
                System.out.println("backend " + found.id() + " ok " + found.plugin().runtimeVersion()
                        + (PluginCatalog.BUILT_IN.equals(found.source()) ? "" : " (" + found.source() + ")"));
            } catch (RuntimeException | LinkageError e) {
                System.out.println("backend " + found.id() + " FAILED " + e);
                broken++;
            }
        }
        return broken == 0 ? 0 : 1;
    }
}
