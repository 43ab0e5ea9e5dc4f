#pragma once
// Declaring routes in one line each. The handler's parameter and return types say what the
// route reads and answers; the route table, the OpenAPI document and API Gateway's request
// validation are generated from them, and the path is checked against API Gateway's rules
// when the program compiles.
//
//   struct NewNote { std::string title; };          BOOST_DESCRIBE_STRUCT(NewNote, (), (title))
//   struct Note { std::int64_t id; std::string title; };  BOOST_DESCRIBE_STRUCT(Note, (), (id,
//   title)) struct Page { std::optional<int> limit; };      BOOST_DESCRIBE_STRUCT(Page, (),
//   (limit))
//
//   cppstack::http::Routes routes;
//   routes.post("/v1/notes", [store](const Request&, const Body<NewNote>& note) {
//     return Created<Note>{"/v1/notes/1", {1, note.title}};      // 201 + Location
//   });
//   routes.get("/v1/notes", [store](const Request&, const Query<Page>& page) {
//     return std::vector<Note>{};                                 // 200 + JSON array
//   }).summary("List notes");
//   routes.del("/v1/notes/{id}", [store](const Request& request) {
//     if (!store->erase(request.path<std::int64_t>("id"))) throw NotFound("no such note");
//     return NoContent{};                                         // 204
//   }).errors({404});
//   std::vector<cppstack::http::Route> table = std::move(routes).release();
//
// Handler parameters: `const Request&` first, then any of `Body<T>` (the JSON body read as
// the described struct T: 400 naming the field when it does not fit) and `Query<T>` (the
// query string read into T's members: 400 naming the parameter). Return types:
// events::ProxyResponse (any answer), Created<T> (201), NoContent (204), or a described
// struct / std::vector of them (200 with the JSON). Throw an HttpError (errors.hpp) for
// any other status.

#include <boost/mp11/list.hpp>
#include <cppstack/http/auth_scope.hpp>
#include <cppstack/http/path_template.hpp>
#include <cppstack/http/resources.hpp>
#include <cppstack/http/responses.hpp>
#include <cppstack/http/route.hpp>
#include <deque>
#include <initializer_list>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace cppstack::http {

/// Handler parameter: the request body, read as the described struct T.
template <class T>
struct Body : T {
  using value_type = T;
};
/// Handler parameter: the query string, read into the described struct T (one member per
/// parameter; std::optional members may be absent, std::vector members take every value).
template <class T>
struct Query : T {
  using value_type = T;
};
/// Handler result: 201 Created with `location` in the Location header and `value` as JSON.
/// A location starting with '/' is taken below the API's base (Request::public_path), so
/// "/v1/notes/7" becomes "/prod/v1/notes/7" on a stage URL.
template <class T>
struct Created {
  std::string location;
  T value;
};
/// Handler result: 204 No Content.
struct NoContent {};

namespace detail {

/// A query member's schema, with its default value when T's default constructor sets one.
template <class T, class Descriptor>
boost::json::object member_schema_with_default() {
  using Member = std::remove_cvref_t<decltype(std::declval<T&>().*Descriptor::pointer)>;
  boost::json::object schema = json_schema<Member>();
  if constexpr (!IsOptional<Member>::value && !IsVector<Member>::value) {
    schema["default"] = to_json(T{}.*Descriptor::pointer);
  }
  return schema;
}

template <class T>
struct IsBody : std::false_type {};
template <class T>
struct IsBody<Body<T>> : std::true_type {};
template <class T>
struct IsQuery : std::false_type {};
template <class T>
struct IsQuery<Query<T>> : std::true_type {};
template <class T>
struct IsCreated : std::false_type {};
template <class T>
struct IsCreated<Created<T>> : std::true_type {};

template <class F>
struct CallableTraits : CallableTraits<decltype(&F::operator())> {};
template <class C, class R, class... A>
struct CallableTraits<R (C::*)(A...) const> {
  using result = R;
  using arguments = std::tuple<A...>;
};
template <class C, class R, class... A>
struct CallableTraits<R (C::*)(A...)> : CallableTraits<R (C::*)(A...) const> {};
template <class R, class... A>
struct CallableTraits<R (*)(A...)> {
  using result = R;
  using arguments = std::tuple<A...>;
};

/// Reads T's members from the query string: each member is one parameter of its name. An
/// absent parameter leaves the member's default (so `int limit = 20;` is an optional
/// parameter with a default); a present one that does not parse is a BadRequest naming it.
template <class T>
T read_query(const Request& request) {
  T result{};
  boost::mp11::mp_for_each<public_members<T>>([&](auto member) {
    using Member = std::remove_cvref_t<decltype(result.*member.pointer)>;
    if constexpr (IsVector<Member>::value) {
      const auto& all = request.event.multi_value_query_string_parameters;
      if (!all) return;
      const auto found = all->find(member.name);
      if (found == all->end()) return;
      for (const std::string& text : found->second) {
        auto value = parse_parameter<typename Member::value_type>(text);
        if (!value) {
          throw BadRequest(std::string("query parameter ") + member.name + " must be " +
                               std::string(parameter_expectation<typename Member::value_type>()),
                           member.name);
        }
        (result.*member.pointer).push_back(std::move(*value));
      }
    } else if constexpr (IsOptional<Member>::value) {
      result.*member.pointer = request.query<typename Member::value_type>(member.name);
    } else if (auto value = request.query<Member>(member.name)) {
      result.*member.pointer = std::move(*value);
    }
  });
  return result;
}

template <class T>
std::vector<QueryParameterDoc> query_docs() {
  std::vector<QueryParameterDoc> docs;
  boost::mp11::mp_for_each<public_members<T>>([&](auto member) {
    docs.push_back({member.name, false, &member_schema_with_default<T, decltype(member)>});
  });
  return docs;
}

/// One handler argument after the request, built from the request.
template <class A>
std::remove_cvref_t<A> argument(const Request& request) {
  using Argument = std::remove_cvref_t<A>;
  if constexpr (IsBody<Argument>::value) {
    return Argument{request.body<typename Argument::value_type>()};
  } else {
    static_assert(IsQuery<Argument>::value,
                  "a handler takes const Request& and then Body<T> or Query<T> parameters");
    return Argument{read_query<typename Argument::value_type>(request)};
  }
}

template <class R>
events::ProxyResponse to_response(const Request& request, R&& result) {
  using Result = std::remove_cvref_t<R>;
  if constexpr (std::is_same_v<Result, events::ProxyResponse>) {
    return std::forward<R>(result);
  } else if constexpr (std::is_same_v<Result, NoContent>) {
    return no_content();
  } else if constexpr (IsCreated<Result>::value) {
    return created(request.public_path(result.location), result.value);
  } else {
    return json(200, result);
  }
}

/// What a handler that builds its own response is documented to answer: some JSON object.
inline boost::json::object any_object_schema() { return {{"type", "object"}}; }

template <class R>
ResponseDoc success_doc() {
  if constexpr (std::is_same_v<R, events::ProxyResponse>) {
    return {200, "Success", &any_object_schema, false};
  } else if constexpr (std::is_same_v<R, NoContent>) {
    return {204, "No Content", nullptr, false};
  } else if constexpr (IsCreated<R>::value) {
    return {201, "Created", &json_schema<decltype(R::value)>, true};
  } else {
    return {200, "Success", &json_schema<R>, false};
  }
}

/// Wraps a typed handler into the router's `ProxyResponse(const Request&)` and records what
/// its types say in `doc`.
template <class F, class First, class... Rest>
Handler adapt(F function, OperationDoc& doc, std::tuple<First, Rest...>* /*arguments*/) {
  static_assert(std::is_same_v<std::remove_cvref_t<First>, Request>,
                "a handler's first parameter is const cppstack::http::Request&");
  using Result = std::remove_cvref_t<typename CallableTraits<F>::result>;
  doc.responses.push_back(success_doc<Result>());
  (
      [&doc] {
        using Argument = std::remove_cvref_t<Rest>;
        if constexpr (IsBody<Argument>::value) {
          doc.request_body = &json_schema<typename Argument::value_type>;
        } else if constexpr (IsQuery<Argument>::value) {
          auto docs = query_docs<typename Argument::value_type>();
          doc.query.insert(doc.query.end(), docs.begin(), docs.end());
        }
      }(),
      ...);
  return [function = std::move(function)](const Request& request) {
    return to_response(request, function(request, argument<Rest>(request)...));
  };
}

}  // namespace detail

/// A route's properties besides its method, path and handler, as designated initializers:
///   routes.get("/v1/notes/{id}", {.errors = {404}}, handler);
struct RouteOptions {
  std::string name{};     ///< operation id and routes.json handler; default from method and path
  std::string summary{};  ///< one line for the OpenAPI document
  AuthMode auth = AuthMode::none;
  /// OAuth scopes a cognito route requires (one of them in the access token); checked at
  /// compile time: {.auth = AuthMode::cognito, .scopes = {"notes/read", "notes/admin"}}
  std::vector<AuthScope> scopes{};
  /// An API key too, besides the token or signature of `auth` (several mechanisms at once):
  /// {.auth = AuthMode::cognito, .api_key_required = true}
  bool api_key_required = false;
  std::vector<int> errors{};  ///< statuses the handler throws on purpose (see errors())
  int cache_ttl_seconds = 0;
  std::optional<Throttle> throttle{};
};

/// A list of routes being declared. Each get/post/... adds one route and returns a
/// Declaration to set its other properties.
class Routes {
 public:
  /// The route just added; each setter returns it again for chaining.
  class Declaration {
   public:
    explicit Declaration(Route& route) : route_(&route) {}
    /// One line for the OpenAPI document.
    Declaration& summary(std::string text);
    /// The operation id and the handler name in routes.json (default: from method and path,
    /// e.g. GET /v1/notes/{id} gives get_v1_notes_id).
    Declaration& name(std::string handler_name);
    Declaration& auth(AuthMode mode);
    /// The OAuth scopes a cognito route requires: an access token with one of them.
    Declaration& scopes(std::initializer_list<AuthScope> required);
    /// Requires an API key of a usage plan as well as the credentials of auth().
    Declaration& api_key_required(bool required = true);
    /// API Gateway's method cache time to live, in seconds.
    Declaration& cache(int ttl_seconds);
    Declaration& throttle(double rate_limit, int burst_limit);
    /// Error statuses the handler throws on purpose (e.g. 404), for the OpenAPI document.
    /// 400 (when the route reads typed input) and 500 are documented without it.
    Declaration& errors(std::initializer_list<int> statuses);
    /// Documents another success answer with a body of type T (for handlers that return
    /// events::ProxyResponse).
    template <class T>
    Declaration& returns(int status, std::string description = "Success") {
      add_response({status, std::move(description), &json_schema<T>, false});
      return *this;
    }

    /// Sets everything `options` gives.
    Declaration& apply(RouteOptions options);

   private:
    void add_response(ResponseDoc response);
    Route* route_;
  };

  template <class F>
  Declaration get(RoutePath path, F handler) {
    return add("GET", path, std::move(handler));
  }
  template <class F>
  Declaration get(RoutePath path, RouteOptions options, F handler) {
    return add("GET", path, std::move(handler)).apply(std::move(options));
  }
  template <class F>
  Declaration post(RoutePath path, F handler) {
    return add("POST", path, std::move(handler));
  }
  template <class F>
  Declaration post(RoutePath path, RouteOptions options, F handler) {
    return add("POST", path, std::move(handler)).apply(std::move(options));
  }
  template <class F>
  Declaration put(RoutePath path, F handler) {
    return add("PUT", path, std::move(handler));
  }
  template <class F>
  Declaration put(RoutePath path, RouteOptions options, F handler) {
    return add("PUT", path, std::move(handler)).apply(std::move(options));
  }
  template <class F>
  Declaration patch(RoutePath path, F handler) {
    return add("PATCH", path, std::move(handler));
  }
  template <class F>
  Declaration patch(RoutePath path, RouteOptions options, F handler) {
    return add("PATCH", path, std::move(handler)).apply(std::move(options));
  }
  template <class F>
  Declaration del(RoutePath path, F handler) {
    return add("DELETE", path, std::move(handler));
  }
  template <class F>
  Declaration del(RoutePath path, RouteOptions options, F handler) {
    return add("DELETE", path, std::move(handler)).apply(std::move(options));
  }
  /// Every method API Gateway knows (its ANY method).
  template <class F>
  Declaration any(RoutePath path, F handler) {
    return add("ANY", path, std::move(handler));
  }
  template <class F>
  Declaration any(RoutePath path, RouteOptions options, F handler) {
    return add("ANY", path, std::move(handler)).apply(std::move(options));
  }
  /// A route built by hand (its path is checked when the Router is built).
  Declaration add(Route route);

  /// Declares a DynamoDB table the function uses (resources.hpp): created by the CDK app and
  /// by `make run`, its physical name in TABLE_<NAME>. Throws std::invalid_argument naming the
  /// table when DynamoDB would refuse it or the name is taken.
  void table(ResourceName name, TableOptions options);
  /// Declares an S3 bucket the function uses: its physical name in BUCKET_<NAME>.
  void bucket(ResourceName name);
  /// The tables and buckets declared so far.
  [[nodiscard]] const Resources& resources() const noexcept { return resources_; }

  /// The routes in declaration order. The declared tables and buckets go to the Application
  /// that called application_routes() (take_released_resources(), resources.hpp).
  [[nodiscard]] std::vector<Route> release() &&;

 private:
  template <class F>
  Declaration add(std::string method, RoutePath path, F handler) {
    Route route{.method = std::move(method), .path = std::string(path.text())};
    using Arguments = typename detail::CallableTraits<F>::arguments;
    route.handler = detail::adapt(std::move(handler), route.doc, static_cast<Arguments*>(nullptr));
    return add(std::move(route));
  }

  std::deque<Route> routes_;  // a deque: a Declaration's reference survives later additions
  Resources resources_;
};

/// The default handler name of a route: GET /v1/notes/{id} gives get_v1_notes_id.
[[nodiscard]] std::string default_handler_name(std::string_view method, std::string_view path);

}  // namespace cppstack::http
