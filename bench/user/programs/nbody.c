/*
 * nbody: the floating-point-heavy C workload of bench/user/run. The Sun and the four giant
 * planets integrated with a symplectic Euler step in double precision (additions,
 * multiplications, divisions and square roots), then a small matrix power to mix in
 * dependent multiply-add chains. Built with -ffp-contract=off on every architecture so that
 * no fused multiply-add changes the rounding: the printed values are bit-identical
 * natively and under emulation.
 *
 *     nbody [STEPS]      (default 1000000)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define PI            3.141592653589793
#define SOLAR_MASS    (4 * PI * PI)
#define DAYS_PER_YEAR 365.24
#define NBODIES       5

typedef struct Body {
    double x[3], v[3], mass;
} Body;

static Body bodies[NBODIES] = {
    {{0, 0, 0}, {0, 0, 0}, SOLAR_MASS},
    {{4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01},
     {1.66007664274403694e-03 * DAYS_PER_YEAR, 7.69901118419740425e-03 * DAYS_PER_YEAR,
      -6.90460016972063023e-05 * DAYS_PER_YEAR},
     9.54791938424326609e-04 * SOLAR_MASS},
    {{8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01},
     {-2.76742510726862411e-03 * DAYS_PER_YEAR, 4.99852801234917238e-03 * DAYS_PER_YEAR,
      2.30417297573763929e-05 * DAYS_PER_YEAR},
     2.85885980666130812e-04 * SOLAR_MASS},
    {{1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01},
     {2.96460137564761618e-03 * DAYS_PER_YEAR, 2.37847173959480950e-03 * DAYS_PER_YEAR,
      -2.96589568540237556e-05 * DAYS_PER_YEAR},
     4.36624404335156298e-05 * SOLAR_MASS},
    {{1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01},
     {2.68067772490389322e-03 * DAYS_PER_YEAR, 1.62824170038242295e-03 * DAYS_PER_YEAR,
      -9.51592254519715870e-05 * DAYS_PER_YEAR},
     5.15138902046611451e-05 * SOLAR_MASS},
};

static void offset_momentum(void)
{
    double p[3] = {0, 0, 0};
    for (int i = 0; i < NBODIES; i++)
        for (int k = 0; k < 3; k++)
            p[k] += bodies[i].v[k] * bodies[i].mass;
    for (int k = 0; k < 3; k++)
        bodies[0].v[k] = -p[k] / SOLAR_MASS;
}

static double energy(void)
{
    double e = 0;
    for (int i = 0; i < NBODIES; i++) {
        Body *b = &bodies[i];
        e += 0.5 * b->mass * (b->v[0] * b->v[0] + b->v[1] * b->v[1] + b->v[2] * b->v[2]);
        for (int j = i + 1; j < NBODIES; j++) {
            double d[3], d2 = 0;
            for (int k = 0; k < 3; k++) {
                d[k] = b->x[k] - bodies[j].x[k];
                d2 += d[k] * d[k];
            }
            e -= b->mass * bodies[j].mass / sqrt(d2);
        }
    }
    return e;
}

static void advance(double dt)
{
    for (int i = 0; i < NBODIES; i++) {
        Body *b = &bodies[i];
        for (int j = i + 1; j < NBODIES; j++) {
            Body *c = &bodies[j];
            double dx = b->x[0] - c->x[0], dy = b->x[1] - c->x[1], dz = b->x[2] - c->x[2];
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * sqrt(d2));
            b->v[0] -= dx * c->mass * mag;
            b->v[1] -= dy * c->mass * mag;
            b->v[2] -= dz * c->mass * mag;
            c->v[0] += dx * b->mass * mag;
            c->v[1] += dy * b->mass * mag;
            c->v[2] += dz * b->mass * mag;
        }
    }
    for (int i = 0; i < NBODIES; i++)
        for (int k = 0; k < 3; k++)
            bodies[i].x[k] += dt * bodies[i].v[k];
}

/* Repeated products of a 48x48 matrix with itself, renormalised: a dependent chain of
 * multiply-adds and a few divisions; returns the trace of the last power. */
#define MN 48
static double matpow(int rounds)
{
    static double a[MN][MN], b[MN][MN], c[MN][MN];
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++)
            a[i][j] = b[i][j] = 1.0 / (1 + i + j) + (i == j ? 0.5 : 0.0);
    double tr = 0;
    for (int r = 0; r < rounds; r++) {
        double norm = 0;
        for (int i = 0; i < MN; i++)
            for (int j = 0; j < MN; j++) {
                double s = 0;
                for (int k = 0; k < MN; k++)
                    s += b[i][k] * a[k][j];
                c[i][j] = s;
                norm += fabs(s);
            }
        tr = 0;
        for (int i = 0; i < MN; i++) {
            for (int j = 0; j < MN; j++)
                b[i][j] = c[i][j] * MN / norm;
            tr += b[i][i];
        }
    }
    return tr;
}

int main(int argc, char **argv)
{
    long steps = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    offset_momentum();
    printf("energy before %.12f\n", energy());
    for (long s = 0; s < steps; s++)
        advance(0.01);
    printf("energy after  %.12f\n", energy());
    for (int i = 0; i < NBODIES; i++)
        printf("body %d at %.9f %.9f %.9f\n", i, bodies[i].x[0], bodies[i].x[1], bodies[i].x[2]);
    printf("matrix trace  %.12f\n", matpow((int)(steps / 5000) + 1));
    return 0;
}
