package clipbench.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClassNamesTest {
    @ParameterizedTest(name = "''{0}'' -> ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "Apple Red 1        | apple red",
        "apple_golden_1     | apple golden",
        "apple_green_1      | apple green",
        "Banana             | banana",
        "Pepper-Orange  2   | pepper orange",
        "'  Tomato   4 '    | tomato",
        "Cherry Wax Red 1 2 | cherry wax red",
        "Apple 6            | apple",
        "7                  | 7",
        "Class 10 4         | class",
        "Route 66 sign      | route 66 sign",
        "Mr._Potato         | mr. potato",
        "ÉCLAIR             | éclair",
        "pear\t1            | pear",
    })
    void cleansFolderNames(String folder, String expected) {
        assertEquals(expected, ClassNames.promptName(folder));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "___", "-_ -"})
    void rejectsNamesWithoutWords(String folder) {
        assertThrows(IllegalArgumentException.class, () -> ClassNames.promptName(folder));
    }

    @org.junit.jupiter.api.Test
    void rejectsNull() {
        assertThrows(IllegalArgumentException.class, () -> ClassNames.promptName(null));
    }
}
