package clipbench.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class JsWrappersTest {
    /** Shaped like nsfwjs's model.min.js: browserify preamble, minified literal, trailing bundle code. */
    static final String MODEL = TinyTfjs.PREAMBLE
            + "{modelTopology:{keras_version:\"2.2.4\",model_config:{class_name:\"Model\",config:{name:'m',layers:["
            + "{name:\"input_1\",class_name:\"InputLayer\",config:{batch_input_shape:[null,224,224,3],sparse:!1,"
            + "trainable:!0,note:\"a } brace, a \\\" quote and modelTopology: in a string\"},inbound_nodes:[]},],"
            + "extra:void 0}}},weightsManifest:[{paths:[\"group1-shard1of1\"],weights:[{name:\"a/kernel\","
            + "shape:[2],dtype:\"float32\",quantization:{min:-.0388556,scale:.39,dtype:\"uint8\"}}]}]}"
            + TinyTfjs.POSTAMBLE;

    @Test
    void findsAndParsesTheMinifiedModelLiteral() throws IOException {
        JsonNode m = JsWrappers.modelJson(MODEL, "model.min.js");
        JsonNode cfg = m.at("/modelTopology/model_config/config");
        assertEquals("m", cfg.get("name").asText());
        JsonNode input = cfg.at("/layers/0/config");
        assertEquals(224, input.at("/batch_input_shape/1").asInt());
        assertTrue(input.get("batch_input_shape").get(0).isNull());
        assertTrue(input.get("sparse").isBoolean() && !input.get("sparse").asBoolean());
        assertTrue(input.get("trainable").asBoolean());
        assertEquals("a } brace, a \" quote and modelTopology: in a string", input.get("note").asText());
        assertTrue(cfg.get("extra").isNull());
        JsonNode q = m.at("/weightsManifest/0/weights/0/quantization");
        assertEquals(-0.0388556, q.get("min").asDouble());
        assertEquals(0.39, q.get("scale").asDouble());
        assertEquals("group1-shard1of1", m.at("/weightsManifest/0/paths/0").asText());
    }

    @Test
    void acceptsPlainJsonAndOtherWrappers() throws IOException {
        assertEquals(1, JsWrappers.modelJson("{\"modelTopology\": {\"a\": 1}, \"weightsManifest\": []}", "x")
                .at("/modelTopology/a").asInt());
        // ES module / global assignment, comments and a regex holding a quote before the literal
        String src = "/* header 'quoted' */ var re = /[\"']/g; // {not: this}\n"
                + "export default { 'format': 'layers-model', modelTopology: {b: +2, c: 5.}, weightsManifest: [], };";
        JsonNode m = JsWrappers.modelJson(src, "x");
        assertEquals(2, m.at("/modelTopology/b").asInt());
        assertEquals(5.0, m.at("/modelTopology/c").asDouble());
        assertEquals("layers-model", m.get("format").asText());
    }

    @Test
    void missingOrTruncatedStructureIsAnErrorNamingTheFile() {
        IOException none = assertThrows(IOException.class,
                () -> JsWrappers.modelJson("module.exports = {foo: 1};", "dir/model.min.js"));
        assertTrue(none.getMessage().startsWith("dir/model.min.js: ") && none.getMessage().contains("modelTopology"),
                none.getMessage());
        IOException cut = assertThrows(IOException.class,
                () -> JsWrappers.modelJson(MODEL.substring(0, MODEL.length() / 2 + 200), "dir/model.min.js"));
        assertTrue(cut.getMessage().startsWith("dir/model.min.js: "), cut.getMessage());
        assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());
        IOException bad = assertThrows(IOException.class,
                () -> JsWrappers.modelJson("a.exports={modelTopology:{x:foo()}}", "m.js"));
        assertTrue(bad.getMessage().startsWith("m.js: cannot parse"), bad.getMessage());
    }

    @Test
    void decodesShardWrappers() throws IOException {
        byte[] data = new byte[300];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        assertArrayEquals(data, JsWrappers.shard(TinyTfjs.shardWrapper(data), "s.min.js"));
        String b64 = Base64.getEncoder().encodeToString("hello".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII),
                JsWrappers.shard("module.exports = '" + b64 + "';", "s.js"));
        IOException none = assertThrows(IOException.class, () -> JsWrappers.shard("module.exports=e()", "s.min.js"));
        assertTrue(none.getMessage().startsWith("s.min.js: ") && none.getMessage().contains("base64"),
                none.getMessage());
        IOException cut = assertThrows(IOException.class, () -> JsWrappers.shard("a.exports=\"QUJD", "s.min.js"));
        assertTrue(cut.getMessage().contains("never closed"), cut.getMessage());
        IOException notB64 = assertThrows(IOException.class, () -> JsWrappers.shard("a.exports=\"@@@\"", "s.min.js"));
        assertTrue(notB64.getMessage().startsWith("s.min.js: ") && notB64.getMessage().contains("base64"),
                notB64.getMessage());
    }

    @Test
    void rewritesMinifiedConstantsOnlyOutsideStrings() {
        assertEquals("{a:true,b:false,c:null,d:'!0 void 0',e:null,f:!01}",
                JsWrappers.rewriteMinifiedConstants("{a:!0,b:!1,c:void 0,d:'!0 void 0',e:undefined,f:!01}"));
    }
}
