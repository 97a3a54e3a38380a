# The ROS 1 message_filters ApproximateTime peer (bench/peers/ros_approx.{h,cpp}), optional.
# include() this from bench/CMakeLists.txt. Packages: scripts/setup-bench.sh.
#
# Sets RIGSYNC_HAVE_ROS (ON/OFF, also visible to the includer). When ON it defines
#   rigsync_ros_peer  static library (C++17); its PUBLIC include dir is this folder, so
#                     `target_link_libraries(x PRIVATE rigsync_ros_peer)` gives ros_approx.h and
#                     every library it needs (CMake links x with the C++ driver by itself)
#   ros_approx_smoke  the smoke program (ros_approx_smoke.c)
# When OFF it defines nothing (and says why once).
include_guard(GLOBAL)

set(RIGSYNC_HAVE_ROS OFF)

include(CheckLanguage)
check_language(CXX)
if(NOT CMAKE_CXX_COMPILER)
  message(STATUS "ROS peer: no C++ compiler, skipped (scripts/setup-bench.sh)")
  return()
endif()
enable_language(CXX)

# All of these come with libmessage-filters-dev and its dependencies.
find_path(RIGSYNC_ROS_MF_INCLUDE message_filters/sync_policies/approximate_time.h)
find_path(RIGSYNC_ROS_CORE_INCLUDE ros/message_event.h)        # libroscpp-core-dev
find_path(RIGSYNC_ROS_CONSOLE_INCLUDE ros/console.h)           # librosconsole-dev
find_path(RIGSYNC_ROS_STDMSGS_INCLUDE std_msgs/Header.h)       # libstd-msgs-dev
find_path(RIGSYNC_ROS_BOOST_INCLUDE boost/thread/mutex.hpp)    # libboost-thread-dev
find_library(RIGSYNC_ROS_MF_LIB message_filters)
find_library(RIGSYNC_ROS_CONSOLE_LIB rosconsole)
find_library(RIGSYNC_ROS_TIME_LIB rostime)
find_library(RIGSYNC_ROS_CPP_COMMON_LIB cpp_common)
find_package(Threads)

set(_rigsync_ros_vars
  RIGSYNC_ROS_MF_INCLUDE RIGSYNC_ROS_CORE_INCLUDE RIGSYNC_ROS_CONSOLE_INCLUDE
  RIGSYNC_ROS_STDMSGS_INCLUDE RIGSYNC_ROS_BOOST_INCLUDE
  RIGSYNC_ROS_MF_LIB RIGSYNC_ROS_CONSOLE_LIB RIGSYNC_ROS_TIME_LIB RIGSYNC_ROS_CPP_COMMON_LIB)
set(_rigsync_ros_missing "")
foreach(_v IN LISTS _rigsync_ros_vars)
  if(NOT ${_v})
    list(APPEND _rigsync_ros_missing ${_v})
  endif()
endforeach()
if(NOT Threads_FOUND)
  list(APPEND _rigsync_ros_missing Threads)
endif()
if(_rigsync_ros_missing)
  message(STATUS "ROS peer: not found (${_rigsync_ros_missing}), skipped; "
                 "scripts/setup-bench.sh installs it")
  return()
endif()

set(RIGSYNC_HAVE_ROS ON)
message(STATUS "ROS peer: message_filters ApproximateTime found (${RIGSYNC_ROS_MF_LIB})")

add_library(rigsync_ros_peer STATIC ${CMAKE_CURRENT_LIST_DIR}/ros_approx.cpp)
set_target_properties(rigsync_ros_peer PROPERTIES
  CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF POSITION_INDEPENDENT_CODE ON)
# The project's add_compile_options() are C-minded: g++ rejects -Wstrict-prototypes and
# -Wmissing-prototypes under -Werror, so drop those two from this C++ target only.
get_target_property(_rigsync_ros_opts rigsync_ros_peer COMPILE_OPTIONS)
if(_rigsync_ros_opts)
  list(REMOVE_ITEM _rigsync_ros_opts -Wstrict-prototypes -Wmissing-prototypes)
  set_target_properties(rigsync_ros_peer PROPERTIES COMPILE_OPTIONS "${_rigsync_ros_opts}")
endif()
target_compile_options(rigsync_ros_peer PRIVATE -Wall -Wextra -Werror)
target_include_directories(rigsync_ros_peer PUBLIC ${CMAKE_CURRENT_LIST_DIR})
# ROS/boost headers warn under -Wextra & co.: SYSTEM. (/usr/include itself is an implicit
# system dir that CMake leaves off the command line.)
target_include_directories(rigsync_ros_peer SYSTEM PRIVATE
  ${RIGSYNC_ROS_MF_INCLUDE} ${RIGSYNC_ROS_CORE_INCLUDE} ${RIGSYNC_ROS_CONSOLE_INCLUDE}
  ${RIGSYNC_ROS_STDMSGS_INCLUDE} ${RIGSYNC_ROS_BOOST_INCLUDE})
# Symbols used directly: message_filters::Connection, ros::console::*, ros::Time/Duration.
target_link_libraries(rigsync_ros_peer PUBLIC
  ${RIGSYNC_ROS_MF_LIB} ${RIGSYNC_ROS_CONSOLE_LIB} ${RIGSYNC_ROS_TIME_LIB}
  ${RIGSYNC_ROS_CPP_COMMON_LIB} Threads::Threads)

add_executable(ros_approx_smoke ${CMAKE_CURRENT_LIST_DIR}/ros_approx_smoke.c)
target_link_libraries(ros_approx_smoke PRIVATE rigsync_ros_peer)
