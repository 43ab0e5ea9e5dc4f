#pragma once
// Declaring routes in one line each. The handler's parameter and return types say what the
// route reads and answers; the route table, the OpenAPI document and API Gateway's request
// validation are generated from them, and the path is checked against API Gateway's rules
// when the program compiles.
//
//   struct NewNote { std::string title; };          BOOST_DESCRIBE_STRUCT(NewNote, (), (title))
//   struct Note { std::int64_t id; std::string title; };  BOOST_DESCRIBE_STRUCT(Note, (), (id,
//   title)) struct PageOf { std::optional<int> limit; };      BOOST_DESCRIBE_STRUCT(Page, (),
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
// the described struct T: 400 naming the field when it does not fit), `Query<T>` (the
// query string read into T's members: 400 naming the parameter) and `Path<T>` (the path
// variables read into T's members, typed). Rules declared on T with CPPSTACK_RULES (rules.hpp)
// are checked in all three. Return types:
// events::ProxyResponse (any answer), Created<T> (201), NoContent (204), PageOf<T> (200, one
// page of a list with a Link to the next: pagination.hpp), or a described struct / std::vector
// of them (200 with the JSON); anything else is one compile error naming these. Throw an
// HttpError (errors.hpp) for any other status. Route groups, prefixes and middleware: Routes.

#include <boost/mp11/list.hpp>
#include <cppstack/http/auth_scope.hpp>
#include <cppstack/http/pagination.hpp>
#include <cppstack/http/path_template.hpp>
#include <cppstack/http/resources.hpp>
#include <cppstack/http/responses.hpp>
#include <cppstack/http/route.hpp>
#include <deque>
#include <functional>
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
/// Handler parameter: the path parameters, read into the described struct T (one member per
/// template variable, typed as the handler wants them: 400 naming the one that does not fit).
/// The OpenAPI document types them the same way.
///   struct ById { std::int64_t id; };  BOOST_DESCRIBE_STRUCT(ById, (), (id))
///   routes.get("/v1/notes/{id}", [](const Request&, const Path<ById>& path) { ... path.id ... });
template <class T>
struct Path : T {
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

/// A query member's schema with its rules, and its default value when T's default constructor
/// sets one.
template <class T, class Descriptor>
boost::json::object member_schema_with_default(SchemaComponents& components) {
  using Member = std::remove_cvref_t<decltype(std::declval<T&>().*Descriptor::pointer)>;
  boost::json::object schema = member_schema<T, Member>(Descriptor::name, &components);
  if constexpr (!IsOptional<Member>::value && !IsVector<Member>::value) {
    schema["default"] = to_json(T{}.*Descriptor::pointer);
  }
  return schema;
}
/// A path member's schema with its rules (a path parameter is always present: no default).
template <class T, class Descriptor>
boost::json::object path_member_schema(SchemaComponents& components) {
  using Member = std::remove_cvref_t<decltype(std::declval<T&>().*Descriptor::pointer)>;
  return member_schema<T, Member>(Descriptor::name, &components);
}
template <class T>
boost::json::object schema_in(SchemaComponents& components) {
  return json_schema<T>(components);
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
struct IsPath : std::false_type {};
template <class T>
struct IsPath<Path<T>> : std::true_type {};
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
    if (const Rule* rule = member_rule_of<T>(member.name)) {
      check_member(*rule, result.*member.pointer, FieldPath{nullptr, member.name});
    }
  });
  return result;
}

/// Reads T's members from the path parameters (each member one template variable).
template <class T>
T read_path(const Request& request) {
  T result{};
  boost::mp11::mp_for_each<public_members<T>>([&](auto member) {
    using Member = std::remove_cvref_t<decltype(result.*member.pointer)>;
    result.*member.pointer = request.path<Member>(member.name);
    if (const Rule* rule = member_rule_of<T>(member.name)) {
      check_member(*rule, result.*member.pointer, FieldPath{nullptr, member.name});
    }
  });
  return result;
}

template <class T>
std::vector<QueryParameterDoc> path_docs() {
  std::vector<QueryParameterDoc> docs;
  boost::mp11::mp_for_each<public_members<T>>([&](auto member) {
    docs.push_back({member.name, true, &path_member_schema<T, decltype(member)>});
  });
  return docs;
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
  } else if constexpr (IsPath<Argument>::value) {
    return Argument{read_path<typename Argument::value_type>(request)};
  } else {
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
  } else if constexpr (IsPage<Result>::value) {
    events::ProxyResponse response = json(200, result);
    if (result.next) response.headers.emplace("Link", next_page_link(request, *result.next));
    return response;
  } else {
    return json(200, result);
  }
}

/// What a handler that builds its own response is documented to answer: some JSON object.
inline boost::json::object any_object_schema(SchemaComponents& /*components*/) {
  return {{"type", "object"}};
}

template <class R>
ResponseDoc success_doc() {
  if constexpr (std::is_same_v<R, events::ProxyResponse>) {
    return {200, "Success", &any_object_schema, false};
  } else if constexpr (std::is_same_v<R, NoContent>) {
    return {204, "No Content", nullptr, false};
  } else if constexpr (IsCreated<R>::value) {
    return {201, "Created", &schema_in<decltype(R::value)>, true};
  } else {
    return {200, "Success", &schema_in<R>, false};
  }
}

template <class R>
inline constexpr bool is_handler_result_v = std::is_same_v<R, events::ProxyResponse> ||
                                            std::is_same_v<R, NoContent> ||
                                            (is_json_type_v<R> && !std::is_same_v<R, char>);
template <class T>
inline constexpr bool is_handler_result_v<Created<T>> = is_json_type_v<T>;

template <class A>
inline constexpr bool is_handler_input_v =
    IsBody<std::remove_cvref_t<A>>::value || IsQuery<std::remove_cvref_t<A>>::value ||
    IsPath<std::remove_cvref_t<A>>::value;

template <class>
inline constexpr bool always_false_type = false;

/// Wraps a typed handler into the router's `ProxyResponse(const Request&)` and records what
/// its types say in `doc`.
template <class F, class First, class... Rest>
Handler adapt(F function, OperationDoc& doc, std::tuple<First, Rest...>* /*arguments*/) {
  using Result = std::remove_cvref_t<typename CallableTraits<F>::result>;
  // One short error each, and nothing instantiated past it (no cascade from deep inside).
  if constexpr (!std::is_same_v<std::remove_cvref_t<First>, Request>) {
    static_assert(always_false_type<F>,
                  "a handler's first parameter is const cppstack::http::Request&");
    return {};
  } else if constexpr (!(is_handler_input_v<Rest> && ...)) {
    static_assert(always_false_type<F>,
                  "after const Request&, a handler takes only Body<T>, Query<T> and Path<T> "
                  "parameters");
    return {};
  } else if constexpr (!is_handler_result_v<Result>) {
    static_assert(always_false_type<Result>,
                  "a handler returns events::ProxyResponse, NoContent, Created<T>, PageOf<T>, or a "
                  "value written as JSON: a struct with BOOST_DESCRIBE_STRUCT, std::vector<T>, "
                  "std::optional<T>, std::string, a number, bool, DateTime or boost::json::value");
    return {};
  } else {
    doc.responses.push_back(success_doc<Result>());
    (
        [&doc] {
          using Argument = std::remove_cvref_t<Rest>;
          if constexpr (IsBody<Argument>::value) {
            doc.request_body = &schema_in<typename Argument::value_type>;
          } else if constexpr (IsQuery<Argument>::value) {
            auto docs = query_docs<typename Argument::value_type>();
            doc.query.insert(doc.query.end(), docs.begin(), docs.end());
          } else {
            auto docs = path_docs<typename Argument::value_type>();
            doc.path.insert(doc.path.end(), docs.begin(), docs.end());
          }
        }(),
        ...);
    return [function = std::move(function)](const Request& request) {
      return to_response(request, function(request, argument<Rest>(request)...));
    };
  }
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
  /// The Lambda authorizer of the route (declared with Routes::authorizer); sets auth custom:
  /// {.authorizer = "bearer"}
  std::string authorizer{};
  std::vector<int> errors{};  ///< statuses the handler throws on purpose (see errors())
  int cache_ttl_seconds = 0;
  std::optional<Throttle> throttle{};
};

/// A list of routes being declared: the whole API, or a group of routes below a prefix that
/// any source file defines and the API includes. Each get/post/... adds one route and returns
/// a Declaration to set its other properties.
///
///   // bookmarks.cpp
///   Routes bookmark_routes(std::shared_ptr<Store> store) {
///     Routes routes("/v1/bookmarks");             // every path below the prefix
///     routes.before([](Request& request) { ... });  // around each handler of the group
///     routes.get("/{id}", ...);                    // GET /v1/bookmarks/{id}
///     return routes;
///   }
///   // routes.cpp: the one place the API is put together
///   Routes bookmark_routes(std::shared_ptr<Store> store);
///   std::vector<Route> cppstack::app::application_routes(const std::shared_ptr<ApplicationState>&)
///   {
///     Routes api;
///     api.use(timing);                             // around every handler of the API
///     api.include(bookmark_routes(store));
///     return std::move(api).release();
///   }
class Routes {
 public:
  /// What a before-hook may do: read or change the request (Request::context), or throw an
  /// HttpError to answer instead of the handler.
  using BeforeHook = std::function<void(Request&)>;
  /// What an after-hook may do: read the request and change the answer (headers, status).
  using AfterHook = std::function<void(const Request&, events::ProxyResponse&)>;

  Routes() = default;
  /// A group whose route paths are written below `prefix` ("/{id}" is prefix + "/{id}", "/" is
  /// the prefix itself).
  explicit Routes(RoutePath prefix) : prefix_(prefix.text() == "/" ? "" : prefix.text()) {}

  /// Adds every route of `group`: its paths below this list's prefix, its middleware inside
  /// this list's.
  Routes& include(Routes group);
  /// Middleware around every handler of this list, routes added before and after it and
  /// included groups too; the first added is the outermost.
  Routes& use(Middleware middleware);
  /// Runs `hook` before every handler of this list (as use() orders it).
  Routes& before(BeforeHook hook);
  /// Runs `hook` on every answer of this list's handlers, error answers included.
  Routes& after(AfterHook hook);

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
    /// Protects the route with the Lambda authorizer declared by that name (auth custom).
    Declaration& authorizer(std::string name);
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
      add_response({status, std::move(description), &detail::schema_in<T>, false});
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
  /// Declares a Lambda authorizer (authorizer.hpp) that routes name in `.authorizer`: run by
  /// the same bootstrap as its own function, deployed by the CDK app, emulated by make run.
  /// Throws std::invalid_argument when the name is taken or the declaration is refused.
  void authorizer(ResourceName name, AuthorizerOptions options, AuthorizerHandler handler);
  /// The tables and buckets declared so far (with those of the included groups).
  [[nodiscard]] const Resources& resources() const noexcept { return resources_; }

  /// The routes in declaration order, with their full paths and middleware. The declared
  /// tables and buckets go to the Application that called application_routes()
  /// (take_released_resources(), resources.hpp).
  [[nodiscard]] std::vector<Route> release() &&;

 private:
  /// The routes with this list's prefix and middleware applied; names left for release().
  std::deque<Route> take() &&;

  template <class F>
  Declaration add(std::string method, RoutePath path, F handler) {
    Route route{.method = std::move(method), .path = std::string(path.text())};
    using Arguments = typename detail::CallableTraits<F>::arguments;
    route.handler = detail::adapt(std::move(handler), route.doc, static_cast<Arguments*>(nullptr));
    return add(std::move(route));
  }

  std::deque<Route> routes_;  // a deque: a Declaration's reference survives later additions
  Resources resources_;
  std::string prefix_;
  std::vector<Middleware> middleware_;
};

/// The default handler name of a route: GET /v1/notes/{id} gives get_v1_notes_id.
[[nodiscard]] std::string default_handler_name(std::string_view method, std::string_view path);

}  // namespace cppstack::http
