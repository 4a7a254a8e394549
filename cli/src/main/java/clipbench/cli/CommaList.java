package clipbench.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A config list given either as a YAML/JSON list or as comma-separated text: {@code [onnx, djl]},
 * {@code onnx,djl} and {@code [1, 2, all]} all read as lists of strings, as on the command line.
 */
final class CommaList extends StdDeserializer<List<String>> {
    CommaList() {
        super(List.class);
    }

    @Override
    public List<String> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        JsonNode node = p.readValueAsTree();
        List<String> out = new ArrayList<>();
        for (JsonNode value : node.isArray() ? node : List.of(node)) {
            if (!value.isValueNode()) {
                throw JsonMappingException.from(p, "expected a list of values or comma-separated text, got " + node);
            }
            out.addAll(List.of(value.asText().split(",")));
        }
        return out;
    }
}
