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
#   <BOOTSTRAP>              the static Lambda `bootstrap` (output name bootstrap)
#   <EXPORTER>               writes routes.json and openapi.json; fails the build, naming
#                            the routes, when the table breaks API Gateway's rules
#   <NAME>_route_table       runs it: API_DIR/routes.json and API_DIR/openapi.json
#   <NAME>_function_zip      API_DIR/../function.zip
#   ${CMAKE_BINARY_DIR}/functions/<NAME>   what `make run FUNCTION=<NAME>` and `make watch`
#                            need to serve and rebuild it (shell variables)
# After each link, API_DIR/../run/bootstrap is replaced by a complete copy in one rename, so
# an emulator serving it never starts a half-written executable.
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
  target_precompile_headers(${routes} PRIVATE
    <cppstack/app/application.hpp> <cppstack/http/routes.hpp> <cppstack/http/responses.hpp>
    <boost/json/array.hpp> <boost/json/object.hpp> <boost/json/serialize.hpp>)

  get_filename_component(output_dir ${ARG_API_DIR} DIRECTORY)
  set(run_dir ${output_dir}/run)
  add_executable(${ARG_BOOTSTRAP} ${exclude} ${PROJECT_SOURCE_DIR}/src/app/bootstrap_main.cpp)
  set_target_properties(${ARG_BOOTSTRAP} PROPERTIES OUTPUT_NAME bootstrap)
  target_link_libraries(${ARG_BOOTSTRAP} PRIVATE ${routes} cppstack_runtime cppstack_warnings)
  if(CPPSTACK_STATIC_BOOTSTRAP)
    target_link_options(${ARG_BOOTSTRAP} PRIVATE -static -s)
  endif()
  add_custom_command(TARGET ${ARG_BOOTSTRAP} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -E make_directory ${run_dir}
    COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE:${ARG_BOOTSTRAP}> ${run_dir}/.bootstrap.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${run_dir}/.bootstrap.tmp ${run_dir}/bootstrap
    VERBATIM)

  add_executable(${ARG_EXPORTER} ${exclude} ${PROJECT_SOURCE_DIR}/src/app/route_export_main.cpp)
  target_link_libraries(${ARG_EXPORTER} PRIVATE ${routes} cppstack_warnings)
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

  file(RELATIVE_PATH sources_dir ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  file(WRITE ${CMAKE_BINARY_DIR}/functions/${ARG_NAME}
       "run_dir='${run_dir}'\nbootstrap='${ARG_BOOTSTRAP}'\nexporter='${ARG_EXPORTER}'\n"
       "sources='${sources_dir}'\n")
endfunction()
