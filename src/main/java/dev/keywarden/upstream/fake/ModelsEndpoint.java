package dev.keywarden.upstream.fake;

import dev.keywarden.upstream.fake.ModelCatalog.Model;

/** {@code GET /v1/models} (paginated) and {@code GET /v1/models/{id}}. */
final class ModelsEndpoint {

    Reply list(Call call) {
        Pagination.Params params = Pagination.params(call.query());
        Pagination.Page<Model> page = Pagination.page(ModelCatalog.MODELS, Model::id, params);
        return Reply.json(200, Pagination.toJson(page, Model::id, Model::json));
    }

    Reply get(String id) {
        Model model = ModelCatalog.find(id)
                .orElseThrow(() -> ApiError.notFound("model: " + Echo.safe(id, 80)));
        return Reply.json(200, model.json());
    }
}
