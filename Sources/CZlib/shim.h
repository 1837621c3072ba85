/* zlib as the system installs it (Debian: zlib1g-dev); CounterGate inflates the parts of .xlsx files with it. */
#include <zlib.h>
