package clipbench.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

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

    @ParameterizedTest(name = "''{0}'' -> ''{1}''")
    @CsvSource(delimiter = '|', value = {
        "Apple Red 1            | red apple",
        "apple_golden_1         | golden apple",
        "Grape pink 2           | pink grape",
        "Pepper Red             | red pepper",
        "Tomato Cherry Red      | red cherry tomato",
        "Cherry Wax Black       | black wax cherry",
        "Potato Red Washed      | washed red potato",
        "Apple Granny Smith     | granny smith apple",
        "Apple Pink Lady        | pink lady apple",
        "Apple Red Delicious    | red delicious apple",
        "Apple Red Yellow 2     | red yellow apple",
        "Banana Lady Finger     | lady finger banana",
        "Melon Piel de Sapo     | piel de sapo melon",
        "Physalis with Husk     | physalis with husk",
        "Tomato not Ripened     | unripe tomato",
        "Passion Fruit          | passion fruit",
        "Cactus fruit           | cactus fruit",
        "Ginger Root            | ginger root",
        "Nut Forest             | forest nut",
        "Banana                 | banana",
        "Cantaloupe 2           | cantaloupe",
        "Avocado ripe           | ripe avocado",
        "Zucchini_dark_1        | dark zucchini",
        "7                      | 7",
    })
    void nounFirstPutsModifiersBeforeTheNoun(String folder, String expected) {
        assertEquals(expected, ClassNames.nounFirst(folder));
    }

    @org.junit.jupiter.api.Test
    void nounFirstRejectsEmptyNames() {
        assertThrows(IllegalArgumentException.class, () -> ClassNames.nounFirst(" _ "));
        assertThrows(IllegalArgumentException.class, () -> ClassNames.nounFirst(null));
    }

    @org.junit.jupiter.api.Test
    void overridesReadFromCsvWithHeaderCommentsAndQuotes(@TempDir Path tmp) throws IOException {
        Path csv = Files.writeString(tmp.resolve("class-names.csv"), "folder,prompt\n# a comment\n"
                + "Apple Red 1, red apple \n\n\"Nut, Forest\",hazelnut\n");
        assertEquals(Map.of("Apple Red 1", "red apple", "Nut, Forest", "hazelnut"), ClassNames.readOverrides(csv));
        assertEquals(List.of("Apple Red 1", "Nut, Forest"), List.copyOf(ClassNames.readOverrides(csv).keySet()));
        assertEquals(csv, ClassNames.findOverrides(tmp).orElseThrow());
    }

    @org.junit.jupiter.api.Test
    void overridesReadFromJson(@TempDir Path tmp) throws IOException {
        Path json = Files.writeString(tmp.resolve("names.json"), "{\"Apple Red 1\": \"red apple\", \"Kaki\": \"persimmon\"}");
        assertEquals(Map.of("Apple Red 1", "red apple", "Kaki", "persimmon"), ClassNames.readOverrides(json));
    }

    @org.junit.jupiter.api.Test
    void badOverrideFilesNameTheFileAndLine(@TempDir Path tmp) throws IOException {
        Path threeFields = Files.writeString(tmp.resolve("a.csv"), "Apple,apple\nPear,pear,extra\n");
        IOException e = assertThrows(IOException.class, () -> ClassNames.readOverrides(threeFields));
        assertTrue(e.getMessage().startsWith(threeFields + ":2"), e.getMessage());
        Path twice = Files.writeString(tmp.resolve("b.csv"), "Apple,apple\nApple,red apple\n");
        e = assertThrows(IOException.class, () -> ClassNames.readOverrides(twice));
        assertTrue(e.getMessage().contains("twice") && e.getMessage().startsWith(twice.toString()), e.getMessage());
        Path list = Files.writeString(tmp.resolve("c.json"), "[\"apple\"]");
        e = assertThrows(IOException.class, () -> ClassNames.readOverrides(list));
        assertTrue(e.getMessage().startsWith(list.toString()), e.getMessage());
        Path txt = Files.writeString(tmp.resolve("d.txt"), "Apple=apple");
        assertThrows(IOException.class, () -> ClassNames.readOverrides(txt));
        assertThrows(IOException.class, () -> ClassNames.readOverrides(tmp.resolve("missing.csv")));
        Files.writeString(tmp.resolve("class-names.csv"), "a,b\n");
        Files.writeString(tmp.resolve("class-names.json"), "{}");
        e = assertThrows(IOException.class, () -> ClassNames.findOverrides(tmp));
        assertTrue(e.getMessage().contains("both"), e.getMessage());
    }
}
