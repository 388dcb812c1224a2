package dev.parley.web;

import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import org.springdoc.core.customizers.OpenApiCustomizer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.ProblemDetail;

/**
 * The REST API's OpenAPI description (springdoc, {@code /v3/api-docs}): what the controllers
 * declare, plus the one error shape every endpoint shares, {@code application/problem+json},
 * which springdoc cannot see since errors leave through {@link RestErrorHandler}.
 */
@Configuration(proxyBeanMethods = false)
class ApiDescription {

    static final String PROBLEM_JSON = "application/problem+json";

    @Bean
    OpenAPI parleyApi() {
        return new OpenAPI().info(new Info().title("Parley REST API")
            .version("v2")
            .description("Nicknames, rooms and message history of a Parley chat service. The real-time side "
                    + "(STOMP over WebSocket and SockJS) is described in the repository's docs/protocol.md.")
            .license(new License().name("see the repository")));
    }

    /** Every operation may answer a client error as problem+json with a {@code detail}. */
    @Bean
    OpenApiCustomizer problemResponses() {
        return api -> {
            Components components = (api.getComponents() != null) ? api.getComponents() : new Components();
            api.setComponents(components);
            ModelConverters.getInstance()
                .readAll(new AnnotatedType(ProblemDetail.class))
                .forEach(components::addSchemas);
            Schema<?> problem = new Schema<>().$ref("#/components/schemas/ProblemDetail");
            if (api.getPaths() == null) {
                return;
            }
            api.getPaths().values().forEach(path -> path.readOperations().forEach(operation -> {
                if (operation.getResponses().get("4XX") == null) {
                    operation.getResponses()
                        .addApiResponse("4XX", new ApiResponse()
                            .description("A client error: problem+json (RFC 9457) with a detail")
                            .content(new Content().addMediaType(PROBLEM_JSON, new MediaType().schema(problem))));
                }
            }));
        };
    }
}
