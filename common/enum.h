/*
 * enum.h: enumerations whose values travel as names.
 *
 * The site log, the wire and the API carry enumerated values as lower-case strings ("held",
 * "own_images"); inside the daemons they are C enums. One X-macro map per enumeration declares
 * each value once, with its name, and generates the enum, the name table and the two typed
 * functions every enumeration has:
 *
 *   const char *<type>_name(<type>_t v)          the value's name; NULL outside the enum
 *   int <type>_parse(const char *s, <type>_t *v) 1 and *v when s is a name, else 0 (v untouched)
 *
 * "Is this name valid" is always <type>_parse. A map lists X(P, ID, "name") for each value; the
 * values are P_ID, numbered from 0 in the map's order, followed by P_COUNT. A name may be "" (an
 * optional field's "none"): then "" parses, and the field's own bounds say whether it may be empty.
 *
 *   #define MM_COLOUR_MAP(X, P) X(P, RED, "red") X(P, GREEN, "green")
 *   MM_ENUM_DECLARE(mm_colour, MM_COLOUR, MM_COLOUR_MAP)          in the header
 *   MM_ENUM_DEFINE(mm_colour, MM_COLOUR, MM_COLOUR_MAP, "colour") in one .c file
 */
#ifndef MM_ENUM_H
#define MM_ENUM_H

/* An enumeration's names, for code that handles any enumeration (the entry table, JSON). */
typedef struct {
    const char *what;         /* what a value is, for messages: "disclosure step" */
    const char *const *names; /* names[v] for 0 <= v < count */
    int count;
} mm_enum_t;

/* The name of value v, NULL when v is outside the enumeration. */
const char *mm_enum_name(const mm_enum_t *e, int v);

/* The value named s (NULL is no name), -1 when none is. */
int mm_enum_value(const mm_enum_t *e, const char *s);

#define MM_ENUM_ITEM_(P, id, name) P##_##id,
#define MM_ENUM_NAME_(P, id, name) name,

#define MM_ENUM_DECLARE(type, P, MAP)                                                              \
    typedef enum { MAP(MM_ENUM_ITEM_, P) P##_COUNT } type##_t;                                     \
    extern const mm_enum_t type##_enum;                                                            \
    static inline const char *type##_name(type##_t v)                                              \
    {                                                                                              \
        return mm_enum_name(&type##_enum, (int)v);                                                 \
    }                                                                                              \
    static inline int type##_parse(const char *s, type##_t *out)                                   \
    {                                                                                              \
        int v = mm_enum_value(&type##_enum, s);                                                    \
        if (v < 0)                                                                                 \
            return 0;                                                                              \
        *out = (type##_t)v;                                                                        \
        return 1;                                                                                  \
    }

#define MM_ENUM_DEFINE(type, P, MAP, what)                                                         \
    static const char *const type##_names_[] = {MAP(MM_ENUM_NAME_, P)};                            \
    const mm_enum_t type##_enum = {what, type##_names_, P##_COUNT};

#endif
