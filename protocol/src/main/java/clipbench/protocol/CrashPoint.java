package clipbench.protocol;

import java.io.IOException;

/** Test hook: called between the cache's write steps; a test throws from it to simulate a kill. */
interface CrashPoint {
    CrashPoint NONE = step -> {
    };

    void reached(String step) throws IOException;
}
