package dev.parley.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code chat.*} property is described where users look for it: in the metadata that IDEs
 * read (written by Spring Boot's configuration processor from {@link ChatProperties}'s Javadoc)
 * and in the README's configuration table.
 */
class ConfigurationMetadataTests {

    private static List<JsonNode> chatProperties() throws IOException {
        try (InputStream metadata = ConfigurationMetadataTests.class
            .getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(metadata).as("the configuration processor's metadata").isNotNull();
            JsonNode root = JsonMapper.builder().build().readTree(metadata);
            return root.path("properties")
                .valueStream()
                .filter(property -> property.path("name").asString().startsWith("chat."))
                .toList();
        }
    }

    @Test
    void everyChatPropertyHasADescriptionForIdes() throws IOException {
        List<JsonNode> properties = chatProperties();
        assertThat(properties).hasSizeGreaterThan(20);
        assertThat(properties).allSatisfy(property -> assertThat(property.path("description").asString())
            .as(property.path("name").asString())
            .isNotBlank());
    }

    @Test
    void everyChatPropertyIsInTheReadmesConfigurationTable() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        assertThat(chatProperties()).allSatisfy(property -> assertThat(readme)
            .contains("| `" + property.path("name").asString() + "` |"));
    }
}
