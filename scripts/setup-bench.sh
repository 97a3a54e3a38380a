#!/usr/bin/env bash
# Installs the Debian packages the benchmark's ROS peer needs (bench/peers/ros_approx.cpp:
# ROS 1 message_filters ApproximateTime). Optional: without them the build skips that peer.
# As root it installs what is missing with apt-get; otherwise it prints the exact command.
#
# libmessage-filters-dev alone pulls in all the others (about 50 packages with
# --no-install-recommends: roscpp, rosconsole, log4cxx, boost 1.74, ...); the rest are listed
# because ros_approx.cpp uses their headers or libraries directly.
set -euo pipefail

# package : a file that shows it is installed (checked and installed by setup.sh)
need=(
  "g++:/usr/bin/g++"
  "libmessage-filters-dev:/usr/include/message_filters/sync_policies/approximate_time.h"
  "libroscpp-core-dev:/usr/include/ros/time.h"
  "librosconsole-dev:/usr/include/ros/console.h"
  "libstd-msgs-dev:/usr/include/std_msgs/Header.h"
  "libboost-thread-dev:/usr/include/boost/thread/mutex.hpp"
)

exec "$(dirname "$0")/setup.sh" "${need[@]}"
