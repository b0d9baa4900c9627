/* lifecycle: creating and deleting what handles name. Internal header. */
#ifndef WB_LIFECYCLE_H
#define WB_LIFECYCLE_H

#include "../dispatch/objects.h"

/* Registers the destructors of every kind with handles/. */
void wbl_init(void);

/* Checks a name: non-NULL, at most 65535 bytes, valid UTF-8. */
wb_status_t wbl_check_name(const char *name, const char *what, size_t *len_out);

#endif
