/* libusb-1.0 as the system installs it (Debian: libusb-1.0-0-dev). */
#include <libusb.h>
