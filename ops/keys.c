/* placeholder until this session lands the real program */
int main(void)
{
    return 1;
}
