package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MinimalInputTest {

    private static String minimal(String schema) throws Exception {
        return MinimalInput.of(schema == null ? null : Json.MAPPER.readTree(schema)).toString();
    }

    @Test
    void onlyRequiredPropertiesEachWithTheLeastValueOfItsType() throws Exception {
        assertThat(minimal("""
                {"type":"object","required":["path","limit","ratio","flag","tags","mode","opts","kind","code"],"properties":{
                  "path":{"type":"string"},"limit":{"type":"integer","minimum":1},"ratio":{"type":"number"},
                  "flag":{"type":"boolean"},"tags":{"type":"array","items":{"type":"string","minLength":2},"minItems":1},
                  "mode":{"type":"string","enum":["fast","slow"]},"kind":{"const":"k"},"code":{"type":["null","string"]},
                  "opts":{"type":"object","required":["depth"],"properties":{"depth":{"type":"integer","default":3}}},
                  "optional":{"type":"string"}}}"""))
                .isEqualTo("{\"path\":\"\",\"limit\":1,\"ratio\":0.0,\"flag\":false,\"tags\":[\"xx\"],\"mode\":\"fast\","
                        + "\"opts\":{\"depth\":3},\"kind\":\"k\",\"code\":\"\"}");
    }

    @Test
    void unionsTakeTheFirstBranchAndAllOfMergesItsObjects() throws Exception {
        assertThat(minimal("{\"anyOf\":[{\"type\":\"object\",\"required\":[\"a\"],\"properties\":{\"a\":{\"type\":\"integer\"}}},{\"type\":\"string\"}]}"))
                .isEqualTo("{\"a\":0}");
        assertThat(minimal("{\"allOf\":[{\"required\":[\"a\"]},{\"type\":\"object\",\"required\":[\"b\"],\"properties\":{\"b\":{\"type\":\"boolean\"}}}]}"))
                .isEqualTo("{\"a\":null,\"b\":false}");
    }

    @Test
    void aMissingOrSelfNestingSchemaStillGivesABoundedObject() throws Exception {
        assertThat(minimal(null)).isEqualTo("{}");
        assertThat(minimal("{\"type\":\"string\"}")).isEqualTo("{}");
        String deep = "{\"type\":\"object\",\"required\":[\"n\"],\"properties\":{\"n\":%s}}";
        String schema = "{\"type\":\"integer\"}";
        for (int i = 0; i < 40; i++) {
            schema = deep.formatted(schema);
        }
        assertThat(minimal(schema).length()).isLessThan(200);
    }
}
