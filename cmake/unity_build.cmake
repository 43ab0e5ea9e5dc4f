# Unity builds: a library's sources compiled as one translation unit (the emulator, in
# src/local, names two groups of its own instead). The project's libraries spend most of their compile parsing the same Boost
# headers and optimising the same template instantiations in every source; a unity unit does it
# once (docs/performance.md, "Compile time"). CPPSTACK_UNITY_BUILD=OFF compiles one unit per
# source, which is what clang-tidy checks in either case (scripts/tidy.py splits unity units).
#
# Names local to one source must not clash with another's in the same unit: no shared
# anonymous-namespace helper names, no file-local namespace aliases that hide a project name.

# Compiles every source of TARGET as one unity translation unit.
function(cppstack_unity_build target)
  if(CPPSTACK_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE BATCH
                                               UNITY_BUILD_BATCH_SIZE 0)
    # g++ takes every source a unity unit includes for a header, and warns of a class that
    # holds a type of the source's anonymous namespace as it would in a header. Only the
    # unity unit is affected: each source compiled on its own (CPPSTACK_UNITY_BUILD=OFF,
    # clang-tidy) is still checked for it.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
      # g++ caps a unit's growth from inlining at `inline-unit-growth` (40 %) once it is over
      # `large-unit-insns` (10,000 insns). Each source alone is under that; a unity unit is
      # not, and with the cap it inlined less than its sources did: the in-process handler
      # path took 9 to 16 % longer (scripts/bench-ab.sh against the separate sources). At 80 %
      # it is as fast as the separate sources and the zip is smaller (733,387 bytes against
      # 742,478); at 160 % or with no cap it is 4 to 7 % faster and the zip 5 % larger.
      target_compile_options(${target} PRIVATE --param=inline-unit-growth=80)
    endif()
  endif()
endfunction()
