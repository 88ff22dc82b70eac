// C++ exceptions and the standard library: throws unwinding several frames while RAII
// destructors run in order, catch by base class and by value/reference, rethrow (throw;
// and std::rethrow_exception), the std::exception hierarchy from the library itself
// (out_of_range, bad_alloc, bad_cast, invalid_argument from stoi), nested try blocks,
// exceptions out of a call through a function pointer and out of a destructor's scope,
// noexcept, std::nested_exception, and std::string/std::vector/std::map/std::sort doing
// real work. Unwinding runs the guest's .eh_frame through libgcc's unwinder (libgcc_s and
// libstdc++ from the sysroot in the dynamic build). Prints one line per step and a summary;
// exits 1 if a check fails.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <new>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

namespace
{

int checks, failures;
std::string trail; // what destructors and handlers did, in order

void check(const char *what, bool ok)
{
    checks++;
    std::printf("%-52s %s\n", what, ok ? "ok" : "FAIL");
    if (!ok)
        failures++;
}

struct Guard {
    const char *name;
    explicit Guard(const char *n) : name(n)
    {
        trail += "+";
        trail += name;
    }
    ~Guard()
    {
        trail += "-";
        trail += name;
    }
    Guard(const Guard &) = delete;
    Guard &operator=(const Guard &) = delete;
};

struct AppError : std::runtime_error {
    int code;
    AppError(const std::string &what, int c) : std::runtime_error(what), code(c)
    {
    }
};

struct DiskError : AppError {
    explicit DiskError(int c) : AppError("disk error", c)
    {
    }
};

__attribute__((noinline)) void frame3(int code)
{
    Guard g("f3");
    std::vector<std::string> junk(3, "unwound");
    throw DiskError(code);
}

__attribute__((noinline)) void frame2(int code)
{
    Guard g("f2");
    std::unique_ptr<Guard> heap(new Guard("heap"));
    frame3(code);
    trail += "!not-reached";
}

__attribute__((noinline)) int frame1(int code)
{
    Guard g("f1");
    frame2(code);
    return -1;
}

void test_unwind()
{
    std::printf("== unwinding through frames\n");
    trail.clear();
    int got = 0;
    try {
        Guard g("try");
        frame1(42);
    } catch (const AppError &e) {
        got = e.code;
        trail += "|caught:";
        trail += e.what();
    }
    std::printf("trail %s\n", trail.c_str());
    check("destructors ran innermost first",
          trail == "+try+f1+f2+heap+f3-f3-heap-f2-f1-try|caught:disk error");
    check("caught DiskError as AppError with code 42", got == 42);

    bool as_std = false;
    try {
        frame3(7);
    } catch (const std::exception &e) {
        as_std = std::strcmp(e.what(), "disk error") == 0 &&
                 dynamic_cast<const DiskError *>(&e) != nullptr;
    }
    check("caught as std::exception, dynamic_cast to DiskError", as_std);

    int which = 0;
    try {
        throw 17;
    } catch (long) {
        which = 1;
    } catch (int v) {
        which = v;
    } catch (...) {
        which = 2;
    }
    check("int caught by catch(int), not catch(long)", which == 17);

    try {
        throw std::string("a string");
    } catch (const char *) {
        which = 1;
    } catch (const std::string &s) {
        which = s == "a string" ? 3 : 4;
    }
    check("std::string thrown by value", which == 3);

    const char *msg = nullptr;
    try {
        throw "a C string";
    } catch (const char *m) {
        msg = m;
    }
    check("const char * thrown", msg && std::strcmp(msg, "a C string") == 0);
}

void test_rethrow()
{
    std::printf("== rethrow and nesting\n");
    trail.clear();
    try {
        try {
            Guard g("inner");
            throw std::logic_error("first");
        } catch (const std::logic_error &e) {
            trail += "|inner-catch:";
            trail += e.what();
            throw;
        }
    } catch (const std::exception &e) {
        trail += "|outer-catch:";
        trail += e.what();
        trail += typeid(e) == typeid(std::logic_error) ? ":logic_error" : ":other";
    }
    std::printf("trail %s\n", trail.c_str());
    check("throw; rethrows the same object",
          trail == "+inner-inner|inner-catch:first|outer-catch:first:logic_error");

    std::exception_ptr saved;
    try {
        throw std::out_of_range("saved for later");
    } catch (...) {
        saved = std::current_exception();
    }
    bool ok = false;
    try {
        std::rethrow_exception(saved);
    } catch (const std::out_of_range &e) {
        ok = std::string(e.what()) == "saved for later";
    }
    check("std::rethrow_exception", ok);

    // A new exception thrown from a handler replaces the one being handled.
    std::string seen;
    try {
        try {
            throw std::runtime_error("old");
        } catch (const std::runtime_error &) {
            throw std::invalid_argument("new");
        }
    } catch (const std::invalid_argument &e) {
        seen = e.what();
    } catch (const std::runtime_error &) {
        seen = "old caught";
    }
    check("throw from a handler replaces the exception", seen == "new");

    // std::throw_with_nested and rethrow_if_nested.
    std::vector<std::string> chain;
    try {
        try {
            throw std::runtime_error("root cause");
        } catch (...) {
            std::throw_with_nested(std::runtime_error("while loading"));
        }
    } catch (const std::exception &e) {
        chain.push_back(e.what());
        try {
            std::rethrow_if_nested(e);
        } catch (const std::exception &inner) {
            chain.push_back(inner.what());
        }
    }
    check("nested exception chain",
          chain.size() == 2 && chain[0] == "while loading" && chain[1] == "root cause");

    // Catch, then throw again from a deeper try inside the handler.
    int depth = 0;
    try {
        try {
            throw 1;
        } catch (int) {
            depth = 1;
            try {
                throw 2;
            } catch (int v) {
                depth += v;
            }
            throw 3;
        }
    } catch (int v) {
        depth += v;
    }
    check("try inside a handler", depth == 6);
}

int divide(int a, int b)
{
    if (b == 0)
        throw std::domain_error("divide by zero");
    return a / b;
}

int apply(int (*fn)(int, int), int a, int b)
{
    Guard g("apply");
    return fn(a, b);
}

void test_library()
{
    std::printf("== exceptions from the library and through function pointers\n");
    trail.clear();
    std::string what;
    try {
        apply(divide, 1, 0);
    } catch (const std::domain_error &e) {
        what = e.what();
    }
    check("through a function pointer, destructor ran",
          what == "divide by zero" && trail == "+apply-apply");
    check("no throw: 84 / 2", apply(divide, 84, 2) == 42);

    std::vector<int> v{1, 2, 3};
    try {
        (void)v.at(10);
        check("vector::at(10) throws", false);
    } catch (const std::out_of_range &) {
        check("vector::at(10) throws out_of_range", true);
    }
    try {
        (void)std::stoi("not a number");
        check("stoi throws", false);
    } catch (const std::invalid_argument &) {
        check("stoi(\"not a number\") throws invalid_argument", true);
    }
    try {
        (void)std::stoi("99999999999999999999");
        check("stoi throws", false);
    } catch (const std::out_of_range &) {
        check("stoi of a huge number throws out_of_range", true);
    }
    try {
        std::map<std::string, int> m;
        (void)m.at("missing");
        check("map::at throws", false);
    } catch (const std::out_of_range &) {
        check("map::at(missing) throws out_of_range", true);
    }
    struct Base {
        virtual ~Base() = default;
    };
    struct Derived : Base {
    };
    Base b;
    try {
        Base &rb = b;
        (void)dynamic_cast<Derived &>(rb);
        check("bad dynamic_cast throws", false);
    } catch (const std::bad_cast &) {
        check("dynamic_cast to a wrong reference throws bad_cast", true);
    }
    try {
        volatile size_t huge = static_cast<size_t>(1) << 62;
        char *p = new char[huge];
        p[0] = 1;
        delete[] p;
        check("new of 2^62 bytes throws", false);
    } catch (const std::bad_alloc &) {
        check("new of 2^62 bytes throws bad_alloc", true);
    }
    char *nt = new (std::nothrow) char[static_cast<size_t>(1) << 62];
    check("new (nothrow) of 2^62 bytes returns null", nt == nullptr);
    try {
        std::string s("abc");
        s.substr(5);
        check("substr past the end throws", false);
    } catch (const std::out_of_range &) {
        check("string::substr(5) of \"abc\" throws out_of_range", true);
    }

    auto thrower = []() noexcept(false) { throw std::length_error("lambda"); };
    try {
        thrower();
    } catch (const std::length_error &e) {
        check("exception out of a lambda", std::string(e.what()) == "lambda");
    }
    check("noexcept operator", noexcept(divide(1, 1)) == false);
}

void test_containers()
{
    std::printf("== containers\n");
    std::vector<std::string> words;
    std::istringstream in("the quick brown fox jumps over the lazy dog the end");
    for (std::string w; in >> w;)
        words.push_back(w);
    check("11 words read", words.size() == 11);

    std::map<std::string, int> counts;
    for (const auto &w : words)
        counts[w]++;
    std::string line;
    for (const auto &kv : counts)
        line += (line.empty() ? "" : " ") + kv.first + "=" + std::to_string(kv.second);
    std::printf("counts %s\n", line.c_str());
    check("map counts 'the' 3 times", counts["the"] == 3 && counts.size() == 9);

    std::sort(words.begin(), words.end(), [](const std::string &a, const std::string &b) {
        return a.size() != b.size() ? a.size() > b.size() : a < b;
    });
    std::string joined;
    for (const auto &w : words)
        joined += w + ",";
    std::printf("sorted %s\n", joined.c_str());
    check("sorted by length then alphabet",
          joined == "brown,jumps,quick,lazy,over,dog,end,fox,the,the,the,");

    std::vector<long> nums(1000);
    std::iota(nums.begin(), nums.end(), 1);
    long sum = std::accumulate(nums.begin(), nums.end(), 0L);
    nums.erase(std::remove_if(nums.begin(), nums.end(), [](long x) { return x % 3 != 0; }),
               nums.end());
    check("sum 1..1000 is 500500, 333 multiples of 3", sum == 500500 && nums.size() == 333);

    std::string s = "Hello";
    s += ", world";
    s.insert(0, ">> ");
    s.replace(s.find("world"), 5, "riscv64");
    std::reverse(s.begin(), s.end());
    std::printf("string %s\n", s.c_str());
    check("string edits", s == "46vcsir ,olleH >>");

    std::ostringstream out;
    out << 3.25 << ' ' << std::hex << 255 << ' ' << std::string(3, 'z');
    check("ostringstream formatting", out.str() == "3.25 ff zzz");

    // Unwinding a vector of guards mid-construction.
    trail.clear();
    try {
        std::vector<std::unique_ptr<Guard>> gs;
        gs.emplace_back(new Guard("a"));
        gs.emplace_back(new Guard("b"));
        throw std::runtime_error("bail");
    } catch (const std::runtime_error &) {
        trail += "|c";
    }
    std::printf("trail %s\n", trail.c_str());
    check("vector of unique_ptr destroyed in order", trail == "+a+b-a-b|c");
}

} // namespace

int main()
{
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    test_unwind();
    test_rethrow();
    test_library();
    test_containers();
    std::printf("cxx-exceptions: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
