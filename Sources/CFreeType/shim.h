/* FreeType 2 as the system installs it (Debian: libfreetype-dev), found through pkg-config (freetype2). */
#include <ft2build.h>
#include FT_FREETYPE_H

/* FreeType's load flags are macros Swift does not import (shifts and function-like macros): named once here. */
static const FT_Int32 countergate_ft_load_default = FT_LOAD_DEFAULT;
static const FT_Int32 countergate_ft_load_no_bitmap = FT_LOAD_NO_BITMAP;
static const FT_Int32 countergate_ft_load_target_normal = FT_LOAD_TARGET_NORMAL;
