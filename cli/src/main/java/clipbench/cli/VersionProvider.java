package clipbench.cli;

import clipbench.api.Versions;
import picocli.CommandLine.IVersionProvider;

/** Prints the clipbench version and the Java runtime. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"clipbench " + Versions.clipbench(), "java " + System.getProperty("java.version")};
    }
}
