# cppstack_add_function: one Lambda function from its route and handler sources.
#
#   cppstack_add_function(NAME notes SOURCES notes.cpp TITLE "Notes API"
#                         BOOTSTRAP notes-bootstrap EXPORTER notes-route-export
#                         API_DIR ${CMAKE_CURRENT_BINARY_DIR}/api [EXCLUDE_FROM_ALL])
#
# EXCLUDE_FROM_ALL: built only when one of its targets is asked for (make run FUNCTION=...).
#
# The sources define cppstack::app::application_routes(). Targets made:
#   <NAME>_routes            the sources as an object library (link it into unit tests)
#   <BOOTSTRAP>              the static Lambda `bootstrap` (output name bootstrap): the one
#                            packaged and deployed, and the one tests and benchmarks run
#   <NAME>_dev_routes        the same sources compiled for the edit-compile loop in an
#                            optimised build (by CPPSTACK_DEV_CXX at -O0, else at -Og); the
#                            very <NAME>_routes in an unoptimised one
#   <BOOTSTRAP>-dev          bootstrap linked from them and the same -O3 libraries: what
#                            `make run` and `make watch` serve (built only when asked for)
#   <EXPORTER>               writes routes.json and openapi.json; fails the build, naming
#                            the routes, when the table breaks API Gateway's rules (linked
#                            from the dev routes: the table is the same at any optimisation)
#   <NAME>_route_table       runs it: API_DIR/routes.json and API_DIR/openapi.json
#   <NAME>_function_zip      API_DIR/../function.zip
#   <NAME>_serve             what `make run` builds, as one goal: <BOOTSTRAP>-dev, the route
#                            table and the emulator
#   ${CMAKE_BINARY_DIR}/functions/<NAME>   what `make run FUNCTION=<NAME>` and `make watch`
#                            need to serve and rebuild it (shell variables)
# After each link of <BOOTSTRAP>-dev, API_DIR/../run/bootstrap is replaced by a complete copy
# in one rename, so an emulator serving it never starts a half-written executable.
# Libraries linked to <NAME>_routes after this call (target_link_libraries) are linked to
# <NAME>_dev_routes too, at the end of the calling directory.
function(cppstack_add_function)
  cmake_parse_arguments(ARG "EXCLUDE_FROM_ALL" "NAME;TITLE;BOOTSTRAP;EXPORTER;API_DIR" "SOURCES"
                        ${ARGN})
  set(in_all ALL)
  set(exclude "")
  if(ARG_EXCLUDE_FROM_ALL)
    set(in_all "")
    set(exclude EXCLUDE_FROM_ALL)
  endif()
  set(routes ${ARG_NAME}_routes)
  add_library(${routes} OBJECT ${exclude} ${ARG_SOURCES})
  target_link_libraries(${routes} PUBLIC cppstack_app PRIVATE cppstack_warnings)
  # The function's own sources are what a developer edits in the inner loop: with the
  # framework's headers (Boost.JSON, Describe) precompiled, one edited file rebuilds in about
  # a second instead of several.
  set(precompiled
    <cppstack/app/application.hpp> <cppstack/http/routes.hpp> <cppstack/http/responses.hpp>
    <boost/json/array.hpp> <boost/json/object.hpp> <boost/json/serialize.hpp>)
  target_precompile_headers(${routes} PRIVATE ${precompiled})

  # Optimising the instantiated templates of typed routes is over half their compile at -O3;
  # the function's own sources are a small part of a request's CPU, and `make run` answers
  # with the libraries still at -O3. The packaged bootstrap never links these objects.
  if(CMAKE_BUILD_TYPE MATCHES "^(Release|RelWithDebInfo|MinSizeRel)$")
    set(dev_routes ${ARG_NAME}_dev_routes)
    add_library(${dev_routes} OBJECT ${exclude} ${ARG_SOURCES})
    target_link_libraries(${dev_routes} PUBLIC cppstack_app PRIVATE cppstack_warnings)
    target_precompile_headers(${dev_routes} PRIVATE ${precompiled})
    if(CPPSTACK_DEV_CXX)
      # Compiled by the dev compiler (clang) at -O0: half the time of g++ at -Og.
      # Run by bash: a source tree from a zip (CodePipeline's artifact) has no executable bits.
      set(launcher bash ${PROJECT_SOURCE_DIR}/cmake/dev_compiler.sh ${CPPSTACK_DEV_CXX}
                   ${CMAKE_CXX_COMPILER} ${CMAKE_CXX_COMPILER_LAUNCHER})
      set_target_properties(${dev_routes} PROPERTIES CXX_COMPILER_LAUNCHER "${launcher}")
      target_compile_options(${dev_routes} PRIVATE -O0)
    else()
      target_compile_options(${dev_routes} PRIVATE -Og)
    endif()
    cmake_language(EVAL CODE
      "cmake_language(DEFER CALL cppstack_copy_usage [[${routes}]] [[${dev_routes}]])")
  else()
    set(dev_routes ${routes})
  endif()

  get_filename_component(output_dir ${ARG_API_DIR} DIRECTORY)
  set(run_dir ${output_dir}/run)
  set(dev_bootstrap ${ARG_BOOTSTRAP}-dev)
  cppstack_add_bootstrap(${ARG_BOOTSTRAP} ${routes} "${exclude}")
  cppstack_add_bootstrap(${dev_bootstrap} ${dev_routes} EXCLUDE_FROM_ALL)
  set_target_properties(${dev_bootstrap} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/dev)
  add_custom_command(TARGET ${dev_bootstrap} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E make_directory ${run_dir}
    COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE:${dev_bootstrap}> ${run_dir}/.bootstrap.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${run_dir}/.bootstrap.tmp ${run_dir}/bootstrap
    VERBATIM)

  add_executable(${ARG_EXPORTER} ${exclude} ${PROJECT_SOURCE_DIR}/src/app/route_export_main.cpp)
  target_link_libraries(${ARG_EXPORTER} PRIVATE ${dev_routes} cppstack_warnings)
  target_compile_definitions(${ARG_EXPORTER} PRIVATE CPPSTACK_API_TITLE="${ARG_TITLE}")

  add_custom_command(
    OUTPUT ${ARG_API_DIR}/routes.json ${ARG_API_DIR}/openapi.json
    COMMAND ${CMAKE_COMMAND} -E make_directory ${ARG_API_DIR} ${run_dir}
    COMMAND ${ARG_EXPORTER} ${ARG_API_DIR}/routes.json ${ARG_API_DIR}/openapi.json
            ${run_dir}/routes.json
    DEPENDS ${ARG_EXPORTER}
    COMMENT "Exporting the route table and the OpenAPI document of ${ARG_NAME}")
  add_custom_target(${ARG_NAME}_route_table ${in_all}
    DEPENDS ${ARG_API_DIR}/routes.json ${ARG_API_DIR}/openapi.json)

  add_custom_command(
    OUTPUT ${output_dir}/function.zip
    COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/make-zip.sh $<TARGET_FILE:${ARG_BOOTSTRAP}>
            ${output_dir}/function.zip
    DEPENDS ${ARG_BOOTSTRAP} ${PROJECT_SOURCE_DIR}/scripts/make-zip.sh
    COMMENT "Packaging ${ARG_NAME} function.zip")
  add_custom_target(${ARG_NAME}_function_zip ${in_all} DEPENDS ${output_dir}/function.zip)

  add_custom_target(${ARG_NAME}_serve)
  add_dependencies(${ARG_NAME}_serve ${dev_bootstrap} ${ARG_NAME}_route_table)
  if(NOT CPPSTACK_FUNCTION_ONLY)
    add_dependencies(${ARG_NAME}_serve cppstack-local)
  endif()

  file(RELATIVE_PATH sources_dir ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  file(WRITE ${CMAKE_BINARY_DIR}/functions/${ARG_NAME}
       "run_dir='${run_dir}'\nbootstrap='${ARG_BOOTSTRAP}'\nexporter='${ARG_EXPORTER}'\n"
       "sources='${sources_dir}'\ndev_bootstrap='${dev_bootstrap}'\ndev_routes='${dev_routes}'\n"
       "serve_target='${ARG_NAME}_serve'\n")
endfunction()

# A function's static Lambda bootstrap (output name bootstrap) from one of its routes libraries.
function(cppstack_add_bootstrap name routes_library exclude)
  add_executable(${name} ${exclude} ${PROJECT_SOURCE_DIR}/src/app/bootstrap_main.cpp)
  set_target_properties(${name} PROPERTIES OUTPUT_NAME bootstrap)
  target_link_libraries(${name} PRIVATE ${routes_library} cppstack_runtime cppstack_warnings)
  if(CPPSTACK_STATIC_BOOTSTRAP)
    target_link_options(${name} PRIVATE -static -s)
  endif()
endfunction()

# What was added to a function's routes library after cppstack_add_function() (its libraries,
# definitions, include directories and options), added to its dev routes library too.
function(cppstack_copy_usage from to)
  get_target_property(libraries ${from} LINK_LIBRARIES)
  if(libraries)
    target_link_libraries(${to} PRIVATE ${libraries})
  endif()
  get_target_property(interface_libraries ${from} INTERFACE_LINK_LIBRARIES)
  if(interface_libraries)
    target_link_libraries(${to} INTERFACE ${interface_libraries})
  endif()
  foreach(property COMPILE_DEFINITIONS INCLUDE_DIRECTORIES COMPILE_OPTIONS)
    get_target_property(values ${from} ${property})
    if(values)
      set_property(TARGET ${to} APPEND PROPERTY ${property} ${values})
    endif()
  endforeach()
endfunction()
