#!/bin/sh
# A stand-in for spec_runner in spec_driver_crash / spec_driver_hang: it
# reports where it is, as spec_runner -t does, then dies the way
# $FAKE_RUNNER says (SIGABRT, or hanging until the driver's time limit).
echo "@ 20"
case "$FAKE_RUNNER" in
  abort) kill -ABRT $$ ;;
  hang) exec sleep 120 ;;
esac
exit 3
