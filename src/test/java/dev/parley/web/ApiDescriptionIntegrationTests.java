package dev.parley.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.parley.support.ParleyApi;
import dev.parley.support.ParleyIntegrationTest;
import dev.parley.support.ParleyIntegrationTestBase;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The REST API's OpenAPI description at {@code /v3/api-docs}: a document whose references all
 * resolve, listing every REST endpoint of Parley's controllers, each with its problem+json errors.
 */
@ParleyIntegrationTest
class ApiDescriptionIntegrationTests extends ParleyIntegrationTestBase {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    private JsonNode description() {
        ParleyApi.Response response = this.api.get("/v3/api-docs");
        assertThat(response.status()).isEqualTo(200);
        return response.json();
    }

    @Test
    void describesEveryRestEndpointOfParley() {
        JsonNode paths = description().path("paths");
        List<String> endpoints = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> mapping : this.mappings.getHandlerMethods().entrySet()) {
            if (!mapping.getValue().getBeanType().getPackageName().startsWith("dev.parley")) {
                continue;
            }
            for (String path : mapping.getKey().getPatternValues()) {
                for (RequestMethod method : mapping.getKey().getMethodsCondition().getMethods()) {
                    endpoints.add(method.name().toLowerCase() + " " + path);
                }
            }
        }
        assertThat(endpoints).as("Parley's REST endpoints").contains("post /api/nicknames", "get /api/rooms",
                "get /api/rooms/{room}/messages", "get /api/rooms/{room}/users");
        assertThat(endpoints).allSatisfy(endpoint -> {
            String[] parts = endpoint.split(" ");
            JsonNode operation = paths.path(parts[1]).path(parts[0]);
            assertThat(operation.isObject()).as(endpoint + " described").isTrue();
            assertThat(operation.path("responses").path("4XX").path("content").has(ApiDescription.PROBLEM_JSON))
                .as(endpoint + " answers errors as problem+json")
                .isTrue();
        });
    }

    @Test
    void isAnOpenApi3DocumentWhoseReferencesAllResolve() {
        JsonNode description = description();
        assertThat(description.path("openapi").asString()).startsWith("3.");
        assertThat(description.path("info").path("title").asString()).isEqualTo("Parley REST API");
        List<String> references = new ArrayList<>();
        collectReferences(description, references);
        assertThat(references).isNotEmpty().allSatisfy(reference -> {
            assertThat(reference).startsWith("#/components/schemas/");
            assertThat(description.path("components").path("schemas")
                .has(reference.substring("#/components/schemas/".length()))).as(reference).isTrue();
        });
    }

    @Test
    void describesTheClaimsBodyAndItsRefusals() {
        JsonNode claim = description().path("paths").path("/api/nicknames").path("post");
        assertThat(claim.path("requestBody").toString()).contains("#/components/schemas/ClaimRequest");
        assertThat(claim.path("responses").path("201").toString()).contains("#/components/schemas/ClaimResponse");
        assertThat(claim.path("responses").path("409").path("content").has(ApiDescription.PROBLEM_JSON)).isTrue();
        assertThat(claim.path("responses").path("429").path("headers").has("Retry-After")).isTrue();
    }

    @Test
    void theBrowsableUiIsOffUnlessConfigured() {
        assertThat(this.api.get("/swagger-ui/index.html", "text/html").status()).isEqualTo(404);
    }

    private static void collectReferences(JsonNode node, List<String> references) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                if ("$ref".equals(field.getKey())) {
                    references.add(field.getValue().asString());
                }
                else {
                    collectReferences(field.getValue(), references);
                }
            }
        }
        else if (node.isArray()) {
            node.forEach(child -> collectReferences(child, references));
        }
    }
}
