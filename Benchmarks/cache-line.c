/* One cache line passed back and forth between a thread on CPU 0 and one
 * on CPU 1 (each waits for the other's write): the round trip is what one
 * line costs to move between the two CPUs, the unit of an NF-to-NF hop's
 * latency (a hop moves several lines: ring indices, the slot, the packet).
 * Build and run: make bench-cache-line */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>
#include <stdatomic.h>
static _Alignas(64) _Atomic uint64_t flag;
#ifndef ROUNDS
#define ROUNDS 2000000
#endif
static int rounds = ROUNDS;
static void pin(int c){cpu_set_t s;CPU_ZERO(&s);CPU_SET(c,&s);pthread_setaffinity_np(pthread_self(),sizeof s,&s);}
static void *pong(void *a){pin(1);for(uint64_t i=1;i<=(uint64_t)rounds;i++){while(atomic_load_explicit(&flag,memory_order_acquire)!=2*i-1);atomic_store_explicit(&flag,2*i,memory_order_release);}return 0;}
int main(){pthread_t t;pthread_create(&t,0,pong,0);pin(0);struct timespec a,b;clock_gettime(CLOCK_MONOTONIC,&a);
for(uint64_t i=1;i<=(uint64_t)rounds;i++){atomic_store_explicit(&flag,2*i-1,memory_order_release);while(atomic_load_explicit(&flag,memory_order_acquire)!=2*i);}
clock_gettime(CLOCK_MONOTONIC,&b);pthread_join(t,0);double ns=((b.tv_sec-a.tv_sec)*1e9+(b.tv_nsec-a.tv_nsec))/rounds;printf("round trip of one cache line between CPU 0 and 1: %.0f ns\n",ns);}
