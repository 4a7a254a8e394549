package clipbench.api.spi;

import java.io.IOException;

/** Opens datasets of one layout, e.g. {@code imagefolder:PATH}. */
public interface DatasetProvider extends Plugin {
    /**
     * @param location the part after {@code id:} on the command line (usually a path)
     */
    Dataset open(String location) throws IOException;
}
